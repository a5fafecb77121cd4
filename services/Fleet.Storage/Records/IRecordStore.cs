namespace Fleet.Storage.Records;

/// <summary>
/// Small documents a facade keeps for itself, keyed by (namespace, key), each with an optional expiry: the Fastmap
/// facade's credentials, upload manifests and runs. Never reachable by functions (their state is
/// <see cref="State.IStateStore"/>). Namespaces and keys follow <see cref="RecordKeys"/> and compare byte by byte, so a
/// listing's order and prefix match do not depend on a collation; values hold at most <see cref="RecordKeys.MaxValueBytes"/>.
/// A record that expired at or before the given time reads as absent; <see cref="PurgeAsync"/> deletes it. Every
/// operation is one statement.
/// </summary>
public interface IRecordStore
{
    /// <summary>The value, or null when there is none or it expired at or before <paramref name="now"/>.</summary>
    Task<byte[]?> GetAsync(string @namespace, string key, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the value and its expiry (null: never expires).</summary>
    Task PutAsync(string @namespace, string key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the value only when the key has none (one expired at or before <paramref name="now"/> counts as none and
    /// is replaced); false when the key is taken.
    /// </summary>
    Task<bool> AddAsync(
        string @namespace, string key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the value (expired or not); false when there was none.</summary>
    Task<bool> DeleteAsync(string @namespace, string key, CancellationToken cancellationToken);

    /// <summary>
    /// The records unexpired at <paramref name="now"/> whose key starts with <paramref name="keyPrefix"/> (empty: all),
    /// ordered by key (ordinal), at most <paramref name="limit"/> (1 or more) of them.
    /// </summary>
    Task<IReadOnlyList<StoredRecord>> ListAsync(string @namespace, string keyPrefix, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes the records, in every namespace, that expired at or before <paramref name="now"/>; returns how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
