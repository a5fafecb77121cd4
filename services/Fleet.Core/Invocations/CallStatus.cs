namespace Fleet.Core.Invocations;

/// <summary>An async call's state, with its outcome once <see cref="CallState.Completed"/>.</summary>
public sealed record CallStatus(CallState State, CallOutcome? Outcome)
{
    public static readonly CallStatus Unknown = new(CallState.Unknown, null);
}
