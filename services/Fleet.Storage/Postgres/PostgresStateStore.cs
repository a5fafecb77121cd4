using Fleet.Storage.State;
using Npgsql;
using NpgsqlTypes;

namespace Fleet.Storage.Postgres;

internal sealed class PostgresStateStore(PostgresDatabase database) : IStateStore
{
    public Task<byte[]?> ReadAsync(string @namespace, string key, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT value FROM state_values WHERE namespace = @namespace AND key = @key";

        StateKeys.Ensure(@namespace, key);
        return database.RunAsync(
            Sql, parameters => Bind(parameters, @namespace, key), static async (command, ct) => await command.ExecuteScalarAsync(ct) as byte[], cancellationToken);
    }

    public Task<byte[]?> ReadRangeAsync(string @namespace, string key, long offset, long length, CancellationToken cancellationToken)
    {
        // substring of an EXTERNAL value reads only the chunks of the range.
        const string Sql = "SELECT substring(value FROM @offset + 1 FOR @length) FROM state_values WHERE namespace = @namespace AND key = @key";

        StateKeys.Ensure(@namespace, key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return database.RunAsync(
            Sql,
            parameters =>
            {
                Bind(parameters, @namespace, key);
                parameters.Add(new NpgsqlParameter<int>("offset", StateKeys.Clamp(offset)));
                parameters.Add(new NpgsqlParameter<int>("length", StateKeys.Clamp(length)));
            },
            static async (command, ct) => await command.ExecuteScalarAsync(ct) as byte[],
            cancellationToken);
    }

    public Task<long?> SizeAsync(string @namespace, string key, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT octet_length(value) FROM state_values WHERE namespace = @namespace AND key = @key";

        StateKeys.Ensure(@namespace, key);
        return database.RunAsync(
            Sql,
            parameters => Bind(parameters, @namespace, key),
            static async (command, ct) => await command.ExecuteScalarAsync(ct) is int size ? size : (long?)null,
            cancellationToken);
    }

    public async Task WriteAsync(string @namespace, string key, ReadOnlyMemory<byte> value, long maxBytes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO state_values (namespace, key, value) VALUES (@namespace, @key, @bytes)
            ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value
            """;

        StateKeys.EnsureWrite(@namespace, key, 0, value.Length, maxBytes);
        await database.ExecuteAsync(Sql, parameters => Bind(parameters, @namespace, key, value), cancellationToken);
    }

    public async Task<long> WriteAtAsync(
        string @namespace, string key, long offset, ReadOnlyMemory<byte> bytes, long maxBytes, CancellationToken cancellationToken)
    {
        // A new value, and one that ends before the offset, are filled up to it with zero bytes. Sent again after a
        // lost connection it writes the same bytes at the same place: safe to retry.
        const string Sql = """
            INSERT INTO state_values AS s (namespace, key, value)
            VALUES (@namespace, @key, decode(repeat('00', @offset), 'hex') || @bytes)
            ON CONFLICT (namespace, key) DO UPDATE
            SET value = CASE WHEN octet_length(s.value) >= @offset THEN overlay(s.value PLACING @bytes FROM @offset + 1)
                             ELSE s.value || decode(repeat('00', @offset - octet_length(s.value)), 'hex') || @bytes END
            WHERE greatest(octet_length(s.value), @offset + octet_length(@bytes)) <= @max
            RETURNING octet_length(value)
            """;

        StateKeys.EnsureWrite(@namespace, key, offset, bytes.Length, maxBytes);
        var size = await database.RunAsync(
            Sql,
            parameters =>
            {
                Bind(parameters, @namespace, key, bytes, maxBytes);
                parameters.Add(new NpgsqlParameter<int>("offset", (int)offset));
            },
            static async (command, ct) => await command.ExecuteScalarAsync(ct),
            cancellationToken);
        return size is int grown ? grown : throw new StateValueTooLargeException(key, maxBytes);
    }

    public async Task<long> AppendAsync(string @namespace, string key, ReadOnlyMemory<byte> bytes, long maxBytes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO state_values AS s (namespace, key, value) VALUES (@namespace, @key, @bytes)
            ON CONFLICT (namespace, key) DO UPDATE SET value = s.value || @bytes
            WHERE octet_length(s.value) + octet_length(@bytes) <= @max
            RETURNING octet_length(value)
            """;

        StateKeys.EnsureWrite(@namespace, key, 0, bytes.Length, maxBytes);

        // Not sent again after a lost connection: the first may have landed, and a second would append twice.
        var size = await database.RunOnceAsync(
            Sql,
            parameters => Bind(parameters, @namespace, key, bytes, maxBytes),
            static async (command, ct) => await command.ExecuteScalarAsync(ct),
            cancellationToken);
        return size is int grown ? grown : throw new StateValueTooLargeException(key, maxBytes);
    }

    public async Task<bool> DeleteAsync(string @namespace, string key, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM state_values WHERE namespace = @namespace AND key = @key";

        StateKeys.Ensure(@namespace, key);
        return await database.ExecuteAsync(Sql, parameters => Bind(parameters, @namespace, key), cancellationToken) == 1;
    }

    private static void Bind(NpgsqlParameterCollection parameters, string @namespace, string key)
    {
        parameters.Add(new NpgsqlParameter<string>("namespace", @namespace));
        parameters.Add(new NpgsqlParameter<string>("key", key));
    }

    private static void Bind(NpgsqlParameterCollection parameters, string @namespace, string key, ReadOnlyMemory<byte> bytes, long? maxBytes = null)
    {
        Bind(parameters, @namespace, key);
        parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("bytes", NpgsqlDbType.Bytea) { TypedValue = bytes });
        if (maxBytes is { } max)
        {
            parameters.Add(new NpgsqlParameter<long>("max", max));
        }
    }
}
