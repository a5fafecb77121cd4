using Fleet.Storage.Records;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Fleet.Storage.Postgres;

/// <summary>Namespaces and keys are <c>COLLATE "C"</c> (migration 0008): compared, ordered and ranged byte by byte.</summary>
internal sealed class PostgresRecordStore(PostgresDatabase database, ILogger logger) : IRecordStore
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
                parameters.Add(PostgresDatabase.Time("now", now));
            },
            static async (command, ct) => await command.ExecuteScalarAsync(ct) as byte[],
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
            INSERT INTO records AS r (namespace, key, value, expires_at) VALUES (@namespace, @key, @value, @expires_at)
            ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
            WHERE r.expires_at <= @now
            """;

        RecordKeys.EnsureWrite(@namespace, key, value);

        // Not sent again after a lost connection: the first may have landed, and the second would then answer "taken".
        return await database.RunOnceAsync(
            Sql,
            parameters =>
            {
                Bind(parameters, @namespace, key, value, expiresAt);
                parameters.Add(PostgresDatabase.Time("now", now));
            },
            static (command, ct) => command.ExecuteNonQueryAsync(ct),
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
                parameters.Add(new NpgsqlParameter<string>("namespace", @namespace));
                parameters.Add(new NpgsqlParameter<string>("prefix", keyPrefix));
                parameters.Add(new NpgsqlParameter<string>("upper", RecordKeys.UpperBound(keyPrefix)));
                parameters.Add(PostgresDatabase.Time("now", now));
                parameters.Add(new NpgsqlParameter<int>("limit", limit));
            },
            static (command, ct) => command.ReadRecordsAsync(static (reader, i) => reader.GetFieldValue<DateTimeOffset>(i), ct),
            cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM records WHERE expires_at <= @now";

        var purged = await database.ExecuteAsync(Sql, parameters => parameters.Add(PostgresDatabase.Time("now", now)), cancellationToken);
        StoreLog.RecordsPurged(logger, purged);
        return purged;
    }

    private static void Bind(NpgsqlParameterCollection parameters, string @namespace, string key)
    {
        parameters.Add(new NpgsqlParameter<string>("namespace", @namespace));
        parameters.Add(new NpgsqlParameter<string>("key", key));
    }

    private static void Bind(
        NpgsqlParameterCollection parameters, string @namespace, string key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt)
    {
        Bind(parameters, @namespace, key);
        parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("value", NpgsqlDbType.Bytea) { TypedValue = value });
        parameters.Add(PostgresDatabase.Time("expires_at", expiresAt));
    }
}
