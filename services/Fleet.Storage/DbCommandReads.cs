using System.Data.Common;
using Fleet.Contracts;

namespace Fleet.Storage;

/// <summary>The reads both stores share once their command is built: rows to documents, whatever the provider.</summary>
internal static class DbCommandReads
{
    /// <summary>The first column of every row.</summary>
    public static async Task<List<T>> ReadColumnAsync<T>(this DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    /// <summary>The function document in the first column of the first row, or null when there is no row.</summary>
    public static async Task<FunctionSpec?> ReadFunctionAsync(this DbCommand command, CancellationToken cancellationToken) =>
        await command.ExecuteScalarAsync(cancellationToken) is string json ? StoreDocuments.ReadFunction(json) : null;

    /// <summary>
    /// A call from a row of <c>function, created_at, expires_at, result</c>, or null when there is no row;
    /// <paramref name="readTime"/> reads the provider's timestamp column.
    /// </summary>
    public static async Task<IReadOnlyList<QueuedCall>> ReadQueuedAsync(
        this DbCommand command, Func<DbDataReader, int, DateTimeOffset> readTime, CancellationToken cancellationToken)
    {
        var calls = new List<QueuedCall>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            calls.Add(StoreDocuments.ReadQueued(reader.GetString(0), readTime(reader, 1)));
        }

        return calls;
    }

    public static async Task<CallRecord?> ReadCallAsync(
        this DbCommand command, string id, Func<DbDataReader, int, DateTimeOffset> readTime, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return StoreDocuments.ReadCall(
            id,
            reader.GetString(0),
            readTime(reader, 1),
            readTime(reader, 2),
            reader.GetString(3));
    }
}
