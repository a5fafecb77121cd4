using Fleet.Storage.Records;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Fleet.Storage.Sqlite;

/// <summary>TEXT compares byte by byte here (BINARY collation), so keys are ordered and ranged as in PostgreSQL.</summary>
internal sealed class SqliteRecordStore(SqliteDatabase database, ILogger logger) : IRecordStore
{
    public Task<byte[]?> GetAsync(string @namespace, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT value FROM records
            WHERE namespace = @namespace AND key = @key AND (expires_at IS NULL OR expires_at > @now)
            """;

        RecordKeys.Ensure(@namespace, key);
        return database.RunAsync(
            Sql,
            parameters =>
            {
                Bind(parameters, @namespace, key);
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
            },
            SqliteDatabase.ReadBytesAsync,
            cancellationToken);
    }

    public async Task PutAsync(
        string @namespace, string key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO records (namespace, key, value, expires_at) VALUES (@namespace, @key, @value, @expires_at)
            ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
            """;

        RecordKeys.EnsureWrite(@namespace, key, value);
        await database.ExecuteAsync(Sql, parameters => Bind(parameters, @namespace, key, value, expiresAt), cancellationToken);
    }

    public async Task<bool> AddAsync(
        string @namespace, string key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO records (namespace, key, value, expires_at) VALUES (@namespace, @key, @value, @expires_at)
            ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
            WHERE records.expires_at <= @now
            """;

        RecordKeys.EnsureWrite(@namespace, key, value);
        return await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                Bind(parameters, @namespace, key, value, expiresAt);
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
            },
            cancellationToken) == 1;
    }

    public async Task<bool> DeleteAsync(string @namespace, string key, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM records WHERE namespace = @namespace AND key = @key";

        RecordKeys.Ensure(@namespace, key);
        return await database.ExecuteAsync(Sql, parameters => Bind(parameters, @namespace, key), cancellationToken) == 1;
    }

    public Task<IReadOnlyList<StoredRecord>> ListAsync(
        string @namespace, string keyPrefix, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT key, value, expires_at FROM records
            WHERE namespace = @namespace AND key >= @prefix AND key < @upper AND (expires_at IS NULL OR expires_at > @now)
            ORDER BY key
            LIMIT @limit
            """;

        RecordKeys.EnsureList(@namespace, keyPrefix, limit);
        return database.RunAsync(
            Sql,
            parameters =>
            {
                parameters.AddWithValue("@namespace", @namespace);
                parameters.AddWithValue("@prefix", keyPrefix);
                parameters.AddWithValue("@upper", RecordKeys.UpperBound(keyPrefix));
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
                parameters.AddWithValue("@limit", (long)limit);
            },
            static (command, ct) => command.ReadRecordsAsync(static (reader, i) => SqliteDatabase.FromMicroseconds(reader.GetInt64(i)), ct),
            cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM records WHERE expires_at <= @now";

        var purged = await database.ExecuteAsync(
            Sql, parameters => parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now)), cancellationToken);
        StoreLog.RecordsPurged(logger, purged);
        return purged;
    }

    private static void Bind(SqliteParameterCollection parameters, string @namespace, string key)
    {
        parameters.AddWithValue("@namespace", @namespace);
        parameters.AddWithValue("@key", key);
    }

    private static void Bind(
        SqliteParameterCollection parameters, string @namespace, string key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt)
    {
        Bind(parameters, @namespace, key);
        parameters.Add("@value", SqliteType.Blob).Value = value.ToArray();
        parameters.AddWithValue("@expires_at", SqliteDatabase.Time(expiresAt));
    }
}
