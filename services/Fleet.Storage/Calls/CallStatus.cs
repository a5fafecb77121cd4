namespace Fleet.Storage.Calls;

/// <summary>What the store knows of a call: its state and, once completed, its outcome.</summary>
public sealed record CallStatus
{
    public static readonly CallStatus Unknown = new() { State = CallState.Unknown };

    public required CallState State { get; init; }

    /// <summary>Set when <see cref="State"/> is <see cref="CallState.Completed"/>, null otherwise.</summary>
    public CallRecord? Outcome { get; init; }
}
