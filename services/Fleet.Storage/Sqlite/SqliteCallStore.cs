using Fleet.Storage.Calls;
using Microsoft.Extensions.Logging;

namespace Fleet.Storage.Sqlite;

internal sealed class SqliteCallStore(SqliteDatabase database, ILogger logger) : ICallStore
{
    public Task<int> CreateQueuedAsync(IReadOnlyList<QueuedCall> calls, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, state, created_at, expires_at, request)
            VALUES (@id, @function, 'queued', @created_at, @expires_at, @request)
            ON CONFLICT (id) DO NOTHING
            """;

        return database.WriteBatchAsync(Sql, CallRows.FirstPerCall(calls), CallRows.Queued, static _ => { }, cancellationToken);
    }

    public Task<int> MarkRunningAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        const string Sql = "UPDATE calls SET state = 'running' WHERE id = @id AND state IN (SELECT value FROM json_each(@expected))";

        return database.WriteBatchAsync(
            Sql, CallRows.FirstPerCall(ids), CallRows.Id, parameters => SqliteDatabase.AddExpected(parameters, CallTransitions.Startable),
            cancellationToken);
    }

    public async Task<int> CompleteAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, state, created_at, expires_at, completed_at, result)
            VALUES (@id, @function, 'completed', @created_at, @expires_at, @completed_at, @result)
            ON CONFLICT (id) DO UPDATE
            SET state = excluded.state, expires_at = excluded.expires_at, completed_at = excluded.completed_at,
                result = excluded.result, request = NULL
            WHERE calls.state IN (SELECT value FROM json_each(@expected))
            """;

        var stored = await database.WriteBatchAsync(
            Sql, CallRows.FirstPerCall(outcomes), CallRows.Outcome,
            parameters => SqliteDatabase.AddExpected(parameters, CallTransitions.Completable), cancellationToken);
        StoreLog.OutcomesSaved(logger, stored, outcomes.Count);
        return stored;
    }

    public Task<CallStatus> GetAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunAsync(
            CallRows.GetSql,
            parameters =>
            {
                parameters.AddWithValue("@id", id);
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
            },
            (command, ct) => command.ReadCallStatusAsync(id, static (reader, i) => SqliteDatabase.FromMicroseconds(reader.GetInt64(i)), ct),
            cancellationToken);

    public Task<IReadOnlyList<QueuedCall>> ListUnfinishedAsync(DateTimeOffset now, string? afterId, int limit, CancellationToken cancellationToken) =>
        database.RunAsync(
            CallRows.ListUnfinishedSql,
            parameters =>
            {
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
                parameters.AddWithValue("@after", afterId ?? "");
                parameters.AddWithValue("@limit", limit);
            },
            static (command, ct) => command.ReadQueuedAsync(static (reader, i) => SqliteDatabase.FromMicroseconds(reader.GetInt64(i)), ct),
            cancellationToken);

    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var purged = await database.ExecuteAsync(
            "DELETE FROM calls WHERE expires_at <= @now", parameters => parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now)),
            cancellationToken);
        StoreLog.CallsPurged(logger, purged);
        return purged;
    }
}
