using System.Data.Common;
using Fleet.Contracts;
using Fleet.Storage.Calls;
using Fleet.Storage.Records;

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
    /// Calls from rows of <c>request, expires_at</c>; <paramref name="readTime"/> reads the provider's timestamp column.
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

    /// <summary>
    /// Records from rows of <c>key, value, expires_at</c>; <paramref name="readTime"/> reads the provider's timestamp
    /// column (a null one is a record that never expires).
    /// </summary>
    public static async Task<IReadOnlyList<StoredRecord>> ReadRecordsAsync(
        this DbCommand command, Func<DbDataReader, int, DateTimeOffset> readTime, CancellationToken cancellationToken)
    {
        var records = new List<StoredRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new StoredRecord(
                reader.GetString(0), reader.IsDBNull(1) ? [] : reader.GetFieldValue<byte[]>(1), reader.IsDBNull(2) ? null : readTime(reader, 2)));
        }

        return records;
    }

    /// <summary>A call from a row of <see cref="CallRows.GetSql"/>, or unknown when there is no row.</summary>
    public static async Task<CallStatus> ReadCallStatusAsync(
        this DbCommand command, string id, Func<DbDataReader, int, DateTimeOffset> readTime,
        CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return CallStatus.Unknown;
        }

        var state = CallTransitions.Parse(reader.GetString(0));
        return new CallStatus
        {
            State = state,
            Outcome = state == CallState.Completed
                ? StoreDocuments.ReadCall(id, reader.GetString(1), readTime(reader, 2), readTime(reader, 3), reader.GetString(4))
                : null,
        };
    }
}
