using Fleet.Storage;
using Fleet.Storage.Records;

namespace Fleet.Core.Records;

/// <summary>
/// Small documents a facade keeps for itself in the store (credentials, upload manifests, runs), apart from anything
/// functions reach: each facade names its own namespace. Expiries are given as a time to live from now.
/// </summary>
internal sealed class FacadeRecords(IFleetStore store, TimeProvider time)
{
    private const string Unreachable = "the record store cannot be reached";

    public DateTimeOffset Now => time.GetUtcNow();

    public Task<byte[]?> GetAsync(string @namespace, string key, CancellationToken cancellationToken) =>
        Guarded(() => store.Records.GetAsync(@namespace, key, Now, cancellationToken));

    /// <summary>Creates or replaces the value; null <paramref name="timeToLive"/>: it never expires.</summary>
    public Task PutAsync(string @namespace, string key, byte[] value, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        Guarded(async () =>
        {
            await store.Records.PutAsync(@namespace, key, value, Now + timeToLive, cancellationToken);
            return true;
        });

    /// <summary>Creates the value when the key holds none; false when it is taken.</summary>
    public Task<bool> AddAsync(string @namespace, string key, byte[] value, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        Guarded(() => store.Records.AddAsync(@namespace, key, value, Now + timeToLive, Now, cancellationToken));

    public Task<bool> DeleteAsync(string @namespace, string key, CancellationToken cancellationToken) =>
        Guarded(() => store.Records.DeleteAsync(@namespace, key, cancellationToken));

    /// <summary>The unexpired records whose key starts with <paramref name="keyPrefix"/>, in key order, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<StoredRecord>> ListAsync(string @namespace, string keyPrefix, int limit, CancellationToken cancellationToken) =>
        Guarded(() => store.Records.ListAsync(@namespace, keyPrefix, Now, limit, cancellationToken));

    private static Task<T> Guarded<T>(Func<Task<T>> storeCall) => StoreCalls.GuardedAsync(Unreachable, storeCall);
}
