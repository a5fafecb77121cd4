using Fleet.Contracts;

namespace Fleet.Storage;

/// <summary>An async call: queued until its outcome is stored, then kept until it expires.</summary>
public sealed record CallRecord
{
    public required string Id { get; init; }

    public required string Function { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Null while queued or running.</summary>
    public InvocationResult? Result { get; init; }
}
