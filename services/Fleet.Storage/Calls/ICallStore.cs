namespace Fleet.Storage.Calls;

/// <summary>
/// Async call records, each with its own expiry. Every write takes a batch (one round trip) and follows the
/// expected-state rule (<see cref="CallState"/>): a call is recorded queued once, marked running only from queued,
/// and completed only once, so a redelivered invocation never overwrites the first outcome.
/// </summary>
public interface ICallStore
{
    /// <summary>
    /// Records accepted calls that have not run yet, with what it takes to send them again; a call recorded already is
    /// left as it is. Returns how many were recorded.
    /// </summary>
    Task<int> CreateQueuedAsync(IReadOnlyList<QueuedCall> calls, CancellationToken cancellationToken);

    /// <summary>Marks queued calls running; calls in any other state, or not recorded, are left. Returns how many changed.</summary>
    Task<int> MarkRunningAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Stores outcomes: over a queued or running record (which loses its request), or as a new record. A completed call
    /// keeps its outcome, and within a batch the first outcome of a call wins. Returns how many were stored.
    /// </summary>
    Task<int> CompleteAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken);

    /// <summary>The call's state, and its outcome once completed; <see cref="CallStatus.Unknown"/> when absent or expired by <paramref name="now"/>.</summary>
    Task<CallStatus> GetAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Recorded calls that have a request and no outcome yet (queued or running) and have not expired, in id order
    /// after <paramref name="afterId"/> (null: from the start), at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<QueuedCall>> ListUnfinishedAsync(DateTimeOffset now, string? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes records whose expiry has passed by <paramref name="now"/>; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
