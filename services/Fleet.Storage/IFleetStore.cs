using Fleet.Contracts;

namespace Fleet.Storage;

/// <summary>
/// The one store every service uses: functions, content-addressed packages and async call records.
/// Document-shaped so that other backends (MongoDB) can be added without touching the services.
/// PostgreSQL for the distributed fleet, SQLite for the standalone process; one contract test suite runs against both.
/// </summary>
public interface IFleetStore
{
    /// <summary>Applies pending migrations; safe to call from several processes at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>True when the store answers a trivial query.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    /// <summary>Registers a function; false (and no change) when one of that name exists.</summary>
    Task<bool> TryCreateFunctionAsync(FunctionSpec function, CancellationToken cancellationToken);

    Task<FunctionSpec?> GetFunctionAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes a function and returns what was deleted, or null when there was none.</summary>
    Task<FunctionSpec?> DeleteFunctionAsync(string name, CancellationToken cancellationToken);

    /// <summary>All function names in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListFunctionNamesAsync(CancellationToken cancellationToken);

    /// <summary>Stores package bytes under their SHA-256 hash; a second put of the same hash only refreshes its time.</summary>
    Task PutPackageAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    Task<byte[]?> GetPackageAsync(string hash, CancellationToken cancellationToken);

    /// <summary>
    /// Records accepted async calls that have not run yet (one round trip for the batch); a call recorded already is
    /// left as it is. Returns how many were recorded.
    /// </summary>
    Task<int> SaveQueuedAsync(IReadOnlyList<QueuedCall> calls, CancellationToken cancellationToken);

    /// <summary>
    /// Recorded calls with no outcome yet that have not expired, in id order after <paramref name="afterId"/> (null:
    /// from the start), at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<QueuedCall>> ListQueuedAsync(DateTimeOffset now, string? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Stores async calls' outcomes (one round trip for the batch). A call that already has an outcome keeps it: the
    /// first wins, so a redelivered invocation never overwrites. A queued record gets its outcome and loses its
    /// request. Returns how many were stored.
    /// </summary>
    Task<int> SaveOutcomesAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken);

    /// <summary>The call's outcome, or null when it has none yet, is unknown or has expired.</summary>
    Task<CallRecord?> GetCallAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes packages that no function uses and that were last put before <paramref name="putBefore"/>: a create
    /// puts its package just before it stores the function, so a recent put is never taken for an orphan. Returns how many.
    /// </summary>
    Task<int> PurgeUnusedPackagesAsync(DateTimeOffset putBefore, CancellationToken cancellationToken);

    /// <summary>Deletes records whose expiry has passed; returns how many.</summary>
    Task<int> PurgeExpiredCallsAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
