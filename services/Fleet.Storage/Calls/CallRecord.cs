using Fleet.Contracts;

namespace Fleet.Storage.Calls;

/// <summary>An async call's outcome, kept until it expires.</summary>
public sealed record CallRecord
{
    public required string Id { get; init; }

    public required string Function { get; init; }

    /// <summary>When the gateway received the call.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required InvocationResult Result { get; init; }
}
