using Fleet.Storage.Calls;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Fleet.Storage.Postgres;

internal sealed class PostgresCallStore(PostgresDatabase database, ILogger logger) : ICallStore
{
    public Task<int> CreateQueuedAsync(IReadOnlyList<QueuedCall> calls, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, state, created_at, expires_at, request)
            SELECT r.id, r.function, 'queued', r.created_at, r.expires_at, r.request
            FROM unnest(@id, @function, @created_at, @expires_at, @request) AS r (id, function, created_at, expires_at, request)
            ON CONFLICT (id) DO NOTHING
            """;

        return database.WriteBatchAsync(Sql, CallRows.FirstPerCall(calls), CallRows.Queued, static _ => { }, cancellationToken);
    }

    public Task<int> MarkRunningAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        const string Sql = "UPDATE calls SET state = 'running' WHERE id = ANY(@id) AND state = ANY(@expected)";

        return database.WriteBatchAsync(Sql, CallRows.FirstPerCall(ids), CallRows.Id, Expected(CallTransitions.Startable), cancellationToken);
    }

    public async Task<int> CompleteAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO calls (id, function, state, created_at, expires_at, completed_at, result)
            SELECT r.id, r.function, 'completed', r.created_at, r.expires_at, r.completed_at, r.result
            FROM unnest(@id, @function, @created_at, @expires_at, @completed_at, @result)
                AS r (id, function, created_at, expires_at, completed_at, result)
            ON CONFLICT (id) DO UPDATE
            SET state = excluded.state, expires_at = excluded.expires_at, completed_at = excluded.completed_at,
                result = excluded.result, request = NULL
            WHERE calls.state = ANY(@expected)
            """;

        var stored = await database.WriteBatchAsync(
            Sql, CallRows.FirstPerCall(outcomes), CallRows.Outcome, Expected(CallTransitions.Completable), cancellationToken);
        StoreLog.OutcomesSaved(logger, stored, outcomes.Count);
        return stored;
    }

    public Task<CallStatus> GetAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunAsync(
            CallRows.GetSql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("id", id));
                parameters.Add(PostgresDatabase.Time("now", now));
            },
            (command, ct) => command.ReadCallStatusAsync(id, static (reader, i) => reader.GetFieldValue<DateTimeOffset>(i), ct),
            cancellationToken);

    public Task<IReadOnlyList<QueuedCall>> ListUnfinishedAsync(DateTimeOffset now, string? afterId, int limit, CancellationToken cancellationToken) =>
        database.RunAsync(
            CallRows.ListUnfinishedSql,
            parameters =>
            {
                parameters.Add(PostgresDatabase.Time("now", now));
                parameters.Add(new NpgsqlParameter<string>("after", afterId ?? ""));
                parameters.Add(new NpgsqlParameter<int>("limit", limit));
            },
            static (command, ct) => command.ReadQueuedAsync(static (reader, i) => reader.GetFieldValue<DateTimeOffset>(i), ct),
            cancellationToken);

    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var purged = await database.ExecuteAsync(
            "DELETE FROM calls WHERE expires_at <= @now", parameters => parameters.Add(PostgresDatabase.Time("now", now)), cancellationToken);
        StoreLog.CallsPurged(logger, purged);
        return purged;
    }

    private static Action<NpgsqlParameterCollection> Expected(string[] states) =>
        parameters => parameters.Add(new NpgsqlParameter<string[]>("expected", states));
}
