namespace Fleet.Storage.Calls;

/// <summary>Where an async call is. Changes only forward: Queued → Running → Completed, or Queued → Completed.</summary>
public enum CallState
{
    /// <summary>No record: never recorded, recorded and expired, or purged.</summary>
    Unknown,

    /// <summary>Accepted and recorded, not started.</summary>
    Queued,

    /// <summary>A worker has started it.</summary>
    Running,

    /// <summary>Has its outcome, which no later one replaces.</summary>
    Completed,
}
