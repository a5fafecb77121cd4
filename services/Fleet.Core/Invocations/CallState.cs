namespace Fleet.Core.Invocations;

/// <summary>An async call's state, with its outcome once <see cref="CallStatus.Completed"/>.</summary>
public sealed record CallState(CallStatus Status, CallOutcome? Outcome)
{
    public static readonly CallState Unknown = new(CallStatus.Unknown, null);
}
