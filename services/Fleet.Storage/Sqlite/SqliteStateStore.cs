using Fleet.Storage.State;
using Microsoft.Data.Sqlite;

namespace Fleet.Storage.Sqlite;

/// <summary>
/// SQLite's <c>||</c> makes text of its operands, so every value built with it is cast back to BLOB before it is
/// stored; the bytes are kept as they were (the text is never decoded), and <c>length</c> of a BLOB counts bytes.
/// </summary>
internal sealed class SqliteStateStore(SqliteDatabase database) : IStateStore
{
    public Task<byte[]?> ReadAsync(string @namespace, string key, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT value FROM state_values WHERE namespace = @namespace AND key = @key";

        StateKeys.Ensure(@namespace, key);
        return database.RunAsync(Sql, parameters => Bind(parameters, @namespace, key), SqliteDatabase.ReadBytesAsync, cancellationToken);
    }

    public Task<byte[]?> ReadRangeAsync(string @namespace, string key, long offset, long length, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT substr(value, @offset + 1, @length) FROM state_values WHERE namespace = @namespace AND key = @key";

        StateKeys.Ensure(@namespace, key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return database.RunAsync(
            Sql,
            parameters =>
            {
                Bind(parameters, @namespace, key);
                parameters.AddWithValue("@offset", (long)StateKeys.Clamp(offset));
                parameters.AddWithValue("@length", (long)StateKeys.Clamp(length));
            },
            SqliteDatabase.ReadBytesAsync,
            cancellationToken);
    }

    public Task<long?> SizeAsync(string @namespace, string key, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT length(value) FROM state_values WHERE namespace = @namespace AND key = @key";

        StateKeys.Ensure(@namespace, key);
        return database.RunAsync(
            Sql,
            parameters => Bind(parameters, @namespace, key),
            static async (command, ct) => await command.ExecuteScalarAsync(ct) is long size ? size : (long?)null,
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
        const string Sql = """
            INSERT INTO state_values (namespace, key, value)
            VALUES (@namespace, @key, CAST(zeroblob(@offset) || @bytes AS BLOB))
            ON CONFLICT (namespace, key) DO UPDATE
            SET value = CASE WHEN length(value) >= @offset
                             THEN CAST(substr(value, 1, @offset) || @bytes || substr(value, @offset + length(@bytes) + 1) AS BLOB)
                             ELSE CAST(value || zeroblob(@offset - length(value)) || @bytes AS BLOB) END
            WHERE max(length(value), @offset + length(@bytes)) <= @max
            RETURNING length(value)
            """;

        StateKeys.EnsureWrite(@namespace, key, offset, bytes.Length, maxBytes);
        var size = await database.RunAsync(
            Sql,
            parameters =>
            {
                Bind(parameters, @namespace, key, bytes, maxBytes);
                parameters.AddWithValue("@offset", offset);
            },
            static async (command, ct) => await command.ExecuteScalarAsync(ct),
            cancellationToken);
        return size is long grown ? grown : throw new StateValueTooLargeException(key, maxBytes);
    }

    public async Task<long> AppendAsync(string @namespace, string key, ReadOnlyMemory<byte> bytes, long maxBytes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO state_values (namespace, key, value) VALUES (@namespace, @key, @bytes)
            ON CONFLICT (namespace, key) DO UPDATE SET value = CAST(value || @bytes AS BLOB)
            WHERE length(value) + length(@bytes) <= @max
            RETURNING length(value)
            """;

        StateKeys.EnsureWrite(@namespace, key, 0, bytes.Length, maxBytes);
        var size = await database.RunAsync(
            Sql,
            parameters => Bind(parameters, @namespace, key, bytes, maxBytes),
            static async (command, ct) => await command.ExecuteScalarAsync(ct),
            cancellationToken);
        return size is long grown ? grown : throw new StateValueTooLargeException(key, maxBytes);
    }

    public async Task<bool> DeleteAsync(string @namespace, string key, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM state_values WHERE namespace = @namespace AND key = @key";

        StateKeys.Ensure(@namespace, key);
        return await database.ExecuteAsync(Sql, parameters => Bind(parameters, @namespace, key), cancellationToken) == 1;
    }

    private static void Bind(SqliteParameterCollection parameters, string @namespace, string key)
    {
        parameters.AddWithValue("@namespace", @namespace);
        parameters.AddWithValue("@key", key);
    }

    private static void Bind(SqliteParameterCollection parameters, string @namespace, string key, ReadOnlyMemory<byte> bytes, long? maxBytes = null)
    {
        Bind(parameters, @namespace, key);
        parameters.Add("@bytes", SqliteType.Blob).Value = bytes.ToArray();
        if (maxBytes is { } max)
        {
            parameters.AddWithValue("@max", max);
        }
    }
}
