using Fleet.Contracts;

namespace Fleet.Storage.Calls;

/// <summary>An accepted async call recorded before it runs, with what it takes to send it again.</summary>
public sealed record QueuedCall
{
    public required InvokeFunction Request { get; init; }

    /// <summary>When its record goes if no outcome ever comes.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}
