using Fleet.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace Fleet.Storage.Sqlite;

internal sealed class SqliteBlobStore(SqliteDatabase database, TimeProvider time, ILogger logger) : IBlobStore
{
    public async Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO blobs (hash, bytes, size, created_at, expires_at)
            VALUES (@hash, @bytes, @size, @created_at, @expires_at)
            ON CONFLICT (hash) DO UPDATE
            SET created_at = excluded.created_at,
                expires_at = CASE WHEN blobs.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
                                  ELSE max(blobs.expires_at, excluded.expires_at) END
            """;

        BlobHash.EnsureMatches(hash, bytes.Span);
        await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                parameters.AddWithValue("@hash", hash);
                parameters.AddWithValue("@bytes", bytes.ToArray());
                parameters.AddWithValue("@size", (long)bytes.Length);
                parameters.AddWithValue("@created_at", SqliteDatabase.ToMicroseconds(time.GetUtcNow()));
                parameters.AddWithValue("@expires_at", SqliteDatabase.Time(expiresAt));
            },
            cancellationToken);
    }

    public Task<byte[]?> GetAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT bytes FROM blobs WHERE hash = @hash AND (expires_at IS NULL OR expires_at > @now)";

        return database.RunAsync(
            Sql,
            parameters =>
            {
                parameters.AddWithValue("@hash", hash);
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
            },
            static async (command, ct) => await command.ExecuteScalarAsync(ct) as byte[],
            cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset now, DateTimeOffset unusedPutBefore, CancellationToken cancellationToken)
    {
        const string Sql = """
            DELETE FROM blobs
            WHERE (expires_at <= @now OR (expires_at IS NULL AND created_at < @put_before))
              AND NOT EXISTS (SELECT 1 FROM functions WHERE functions.package_hash = blobs.hash)
            """;

        var purged = await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
                parameters.AddWithValue("@put_before", SqliteDatabase.ToMicroseconds(unusedPutBefore));
            },
            cancellationToken);
        StoreLog.BlobsPurged(logger, purged);
        return purged;
    }
}
