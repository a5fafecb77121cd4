using Fleet.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Fleet.Storage.Postgres;

internal sealed class PostgresBlobStore(PostgresDatabase database, TimeProvider time, ILogger logger) : IBlobStore
{
    public async Task PutAsync(string hash, ReadOnlyMemory<byte> bytes, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO blobs (hash, bytes, size, created_at, expires_at)
            VALUES (@hash, @bytes, @size, @created_at, @expires_at)
            ON CONFLICT (hash) DO UPDATE
            SET created_at = excluded.created_at,
                expires_at = CASE WHEN blobs.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
                                  ELSE greatest(blobs.expires_at, excluded.expires_at) END
            """;

        BlobHash.EnsureMatches(hash, bytes.Span);
        await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("hash", hash));
                parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("bytes", NpgsqlDbType.Bytea) { TypedValue = bytes });
                parameters.Add(new NpgsqlParameter<long>("size", bytes.Length));
                parameters.Add(PostgresDatabase.Time("created_at", time.GetUtcNow()));
                parameters.Add(PostgresDatabase.Time("expires_at", expiresAt));
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
                parameters.Add(new NpgsqlParameter<string>("hash", hash));
                parameters.Add(PostgresDatabase.Time("now", now));
            },
            static async (command, ct) => await command.ExecuteScalarAsync(ct) as byte[],
            cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset now, DateTimeOffset unusedPutBefore, CancellationToken cancellationToken)
    {
        const string Sql = """
            DELETE FROM blobs AS b
            WHERE (b.expires_at <= @now OR (b.expires_at IS NULL AND b.created_at < @put_before))
              AND NOT EXISTS (SELECT 1 FROM functions AS f WHERE f.package_hash = b.hash)
            """;

        var purged = await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                parameters.Add(PostgresDatabase.Time("now", now));
                parameters.Add(PostgresDatabase.Time("put_before", unusedPutBefore));
            },
            cancellationToken);
        StoreLog.BlobsPurged(logger, purged);
        return purged;
    }
}
