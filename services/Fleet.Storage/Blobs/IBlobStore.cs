namespace Fleet.Storage.Blobs;

/// <summary>
/// Content-addressed bytes: the key is the lower-case hex SHA-256 of the bytes (<see cref="BlobHash"/>). A blob with no
/// expiry (a code package) is kept while a function's package hash names it; one with an expiry goes once it passes,
/// unless a function uses it.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Stores <paramref name="bytes"/> under <paramref name="hash"/>, which must be their SHA-256. A second put of the
    /// same hash keeps one copy and refreshes its put time; its expiry becomes the later of the two, and none wins over any.
    /// </summary>
    Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>The bytes, or null when there are none or they expired before <paramref name="now"/>.</summary>
    Task<byte[]?> GetAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the blobs no function uses that have expired by <paramref name="now"/>, or that have no expiry and were
    /// last put before <paramref name="unusedPutBefore"/> (a create puts its package just before it stores the
    /// function, so a recent put is never taken for an orphan). Returns how many went.
    /// </summary>
    Task<int> PurgeAsync(DateTimeOffset now, DateTimeOffset unusedPutBefore, CancellationToken cancellationToken);
}
