namespace Fleet.Core.Invocations;

/// <summary>Where an async call is: never heard of (or expired), accepted and waiting, running, or ended.</summary>
public enum CallState
{
    Unknown,
    Queued,
    Running,
    Completed,
}
