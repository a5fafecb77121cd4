using Fleet.Storage.Jobs;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Fleet.Storage.Postgres;

/// <summary>
/// Jobs and their slices in PostgreSQL (migration 0009). A create or an append is one statement, so it is atomic; an
/// append takes the job row's lock, so concurrent appends number their slices one after the other. Claims lock their
/// slices with <c>SKIP LOCKED</c>, so two engines never take the same slice. Batches travel as arrays, for
/// <c>unnest</c>.
/// </summary>
internal sealed class PostgresJobStore(PostgresDatabase database, ILogger logger) : IJobStore
{
    /// <summary>The columns <see cref="JobRows.ReadSummariesAsync"/> reads, for the jobs <c>j</c> (joined to nothing else).</summary>
    private const string SummaryColumns = """
        j.id, j.owner, j.function, j.document, j.max_attempts, j.created_at, j.expires_at, j.cancelled, j.total_slices,
        c.new, c.scheduled, c.returned, c.failed, c.cpu_seconds
        FROM jobs j CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE state = 0)::int AS new, count(*) FILTER (WHERE state = 1)::int AS scheduled,
                   count(*) FILTER (WHERE state = 2)::int AS returned, count(*) FILTER (WHERE state = 3)::int AS failed,
                   coalesce(sum(cpu_seconds), 0)::float8 AS cpu_seconds
            FROM job_slices WHERE job_id = j.id) c
        """;

    public async Task<bool> CreateAsync(JobRecord job, IReadOnlyList<string> slices, CancellationToken cancellationToken)
    {
        const string Sql = """
            WITH job AS (
                INSERT INTO jobs (id, owner, function, document, max_attempts, created_at, expires_at, cancelled, total_slices)
                VALUES (@job_id, @owner, @function, @document, @max_attempts, @created_at, @expires_at, @cancelled, cardinality(@data))
                ON CONFLICT (id) DO NOTHING
                RETURNING id),
            slices AS (
                INSERT INTO job_slices (job_id, number, datum)
                SELECT job.id, d.number, d.datum FROM job, unnest(@data) WITH ORDINALITY AS d (datum, number))
            SELECT count(*)::int FROM job
            """;

        JobRules.EnsureNew(job, slices);

        // Not sent again after a lost connection: the first may have landed, and the second would then answer "taken".
        return await database.RunOnceAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("job_id", job.Id));
                parameters.Add(new NpgsqlParameter<string>("owner", job.Owner));
                parameters.Add(new NpgsqlParameter<string>("function", StoreDocuments.Write(job.Function)));
                parameters.Add(new NpgsqlParameter<string>("document", job.Document));
                parameters.Add(new NpgsqlParameter<int>("max_attempts", job.MaxAttempts));
                parameters.Add(PostgresDatabase.Time("created_at", job.CreatedAt));
                parameters.Add(PostgresDatabase.Time("expires_at", job.ExpiresAt));
                parameters.Add(new NpgsqlParameter<bool>("cancelled", job.Cancelled));
                parameters.Add(new NpgsqlParameter<string[]>("data", [.. slices]));
            },
            static async (command, ct) => (int)(await command.ExecuteScalarAsync(ct))!,
            cancellationToken) == 1;
    }

    public Task<AppendResult> AppendAsync(string jobId, IReadOnlyList<string> slices, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        // The old row (o) is the statement's snapshot, read before the update (j) took the lock.
        const string Sql = """
            WITH job AS (
                UPDATE jobs SET total_slices = total_slices + cardinality(@data), expires_at = @expires_at
                WHERE id = @job_id AND NOT cancelled
                RETURNING id, total_slices),
            slices AS (
                INSERT INTO job_slices (job_id, number, datum)
                SELECT job.id, job.total_slices - cardinality(@data) + d.number, d.datum
                FROM job, unnest(@data) WITH ORDINALITY AS d (datum, number))
            SELECT o.id IS NOT NULL, j.id IS NOT NULL, coalesce(j.total_slices, o.total_slices, 0)
            FROM (SELECT 1) one LEFT JOIN job j ON true LEFT JOIN jobs o ON o.id = @job_id
            """;

        JobRules.EnsureId(jobId);
        ArgumentNullException.ThrowIfNull(slices);
        return database.RunOnceAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
                parameters.Add(new NpgsqlParameter<string[]>("data", [.. slices]));
                parameters.Add(PostgresDatabase.Time("expires_at", expiresAt));
            },
            async (command, ct) =>
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                return JobRules.Appended(reader.GetBoolean(0), reader.GetBoolean(1), reader.GetInt32(2), slices.Count);
            },
            cancellationToken);
    }

    public async Task<JobSummary?> GetAsync(string jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = $"SELECT {SummaryColumns} WHERE j.id = @job_id AND j.expires_at > @now";

        JobRules.EnsureId(jobId);
        var found = await database.RunAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
                parameters.Add(PostgresDatabase.Time("now", now));
            },
            static (command, ct) => command.ReadSummariesAsync(ReadTime, ct),
            cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<IReadOnlyList<JobSummary>> ListAsync(string owner, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        const string Sql = $"""
            SELECT {SummaryColumns}
            WHERE j.owner = @owner AND j.expires_at > @now
            ORDER BY j.created_at DESC, j.id DESC
            LIMIT @limit
            """;

        JobRules.EnsureLimit(limit);
        return await database.RunAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("owner", owner));
                parameters.Add(PostgresDatabase.Time("now", now));
                parameters.Add(new NpgsqlParameter<int>("limit", limit));
            },
            static (command, ct) => command.ReadSummariesAsync(ReadTime, ct),
            cancellationToken);
    }

    public Task<int> CountAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunAsync(
            JobRows.CountSql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string>("owner", owner));
                parameters.Add(PostgresDatabase.Time("now", now));
            },
            static async (command, ct) => (int)(long)(await command.ExecuteScalarAsync(ct))!,
            cancellationToken);

    public async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        JobRules.EnsureId(jobId);
        return await database.ExecuteAsync(JobRows.CancelSql, parameters => BindJob(parameters, jobId), cancellationToken) == 1;
    }

    public Task<IReadOnlyList<SliceResult>> ResultsAsync(string jobId, int from, int to, int limit, CancellationToken cancellationToken)
    {
        JobRules.EnsureId(jobId);
        JobRules.EnsureLimit(limit);
        return database.RunAsync(
            JobRows.ResultsSql,
            parameters =>
            {
                BindJob(parameters, jobId);
                parameters.Add(new NpgsqlParameter<int>("from", from));
                parameters.Add(new NpgsqlParameter<int>("to", to));
                parameters.Add(new NpgsqlParameter<int>("limit", limit));
            },
            static (command, ct) => command.ReadResultsAsync(ct),
            cancellationToken);
    }

    public Task<IReadOnlyList<FailedSlice>> FailedAsync(string jobId, int limit, CancellationToken cancellationToken)
    {
        JobRules.EnsureId(jobId);
        JobRules.EnsureLimit(limit);
        return database.RunAsync(
            JobRows.FailedSql,
            parameters =>
            {
                BindJob(parameters, jobId);
                parameters.Add(new NpgsqlParameter<int>("limit", limit));
            },
            static (command, ct) => command.ReadFailedAsync(ct),
            cancellationToken);
    }

    public Task<IReadOnlyList<string>> ClaimableJobsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        JobRules.EnsureLimit(limit);
        return database.RunAsync(
            JobRows.ClaimableJobsSql,
            parameters =>
            {
                parameters.Add(PostgresDatabase.Time("now", now));
                parameters.Add(new NpgsqlParameter<int>("limit", limit));
            },
            static (command, ct) => command.ReadIdsAsync(ct),
            cancellationToken);
    }

    public async Task<IReadOnlyList<ClaimedSlice>> ClaimAsync(
        string jobId, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        // The candidates come from the (job, state, number) index, the overdue and the new apart (an OR would walk the
        // job's returned slices too); locking rechecks each candidate, and one locked by another claim is skipped.
        // Rows are matched by their ctid, never by (job, number): a job's slices just written are not yet in the
        // planner's statistics, and a join on the job's rows then planned as one row long walked all 100,000 of them for
        // every candidate (claims of 30 s and more).
        const string Sql = """
            WITH job AS (SELECT max_attempts FROM jobs WHERE id = @job_id AND NOT cancelled),
            candidates AS MATERIALIZED (
                SELECT row_id FROM (
                    (SELECT ctid AS row_id, number FROM job_slices WHERE job_id = @job_id AND state = 1 AND lease_until <= @now ORDER BY number LIMIT @max)
                    UNION ALL
                    (SELECT ctid AS row_id, number FROM job_slices WHERE job_id = @job_id AND state = 0 ORDER BY number LIMIT @max)) c
                ORDER BY number LIMIT @max),
            picked AS (
                SELECT s.ctid AS row_id, s.state = 1 AND s.attempts >= (SELECT max_attempts FROM job) AS spent
                FROM candidates c JOIN job_slices s ON s.ctid = c.row_id
                WHERE s.job_id = @job_id AND EXISTS (SELECT 1 FROM job) AND (s.state = 0 OR (s.state = 1 AND s.lease_until <= @now))
                FOR UPDATE OF s SKIP LOCKED)
            UPDATE job_slices s SET
                state = CASE WHEN p.spent THEN 3 ELSE 1 END,
                attempts = CASE WHEN p.spent THEN s.attempts ELSE s.attempts + 1 END,
                lease_until = CASE WHEN p.spent THEN NULL ELSE @lease_until END,
                error = CASE WHEN p.spent THEN @timed_out ELSE s.error END
            FROM picked p
            WHERE s.ctid = p.row_id
            RETURNING s.number, s.datum, s.attempts, NOT p.spent
            """;

        JobRules.EnsureId(jobId);
        JobRules.EnsureLimit(max);
        return await database.RunOnceAsync(
            Sql,
            parameters =>
            {
                BindJob(parameters, jobId);
                parameters.Add(new NpgsqlParameter<int>("max", max));
                parameters.Add(PostgresDatabase.Time("now", now));
                parameters.Add(PostgresDatabase.Time("lease_until", leaseUntil));
                parameters.Add(new NpgsqlParameter<string>("timed_out", JobRules.TimedOut));
            },
            static (command, ct) => command.ReadClaimedAsync(ct),
            cancellationToken);
    }

    public async Task ReleaseAsync(string jobId, IReadOnlyList<ClaimedSlice> slices, CancellationToken cancellationToken)
    {
        const string Sql = """
            UPDATE job_slices s SET state = 0, attempts = s.attempts - 1, lease_until = NULL
            FROM unnest(@numbers, @attempts) AS r (number, attempt)
            WHERE s.job_id = @job_id AND s.number = r.number AND s.state = 1 AND s.attempts = r.attempt
            """;

        JobRules.EnsureId(jobId);
        ArgumentNullException.ThrowIfNull(slices);
        if (slices.Count == 0)
        {
            return;
        }

        await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                BindJob(parameters, jobId);
                parameters.Add(new NpgsqlParameter<int[]>("numbers", [.. slices.Select(slice => slice.Number)]));
                parameters.Add(new NpgsqlParameter<int[]>("attempts", [.. slices.Select(slice => slice.Attempt)]));
            },
            cancellationToken);
    }

    public async Task<int> CompleteAsync(IReadOnlyList<SliceOutcome> outcomes, CancellationToken cancellationToken)
    {
        const string Sql = """
            UPDATE job_slices s SET
                state = CASE WHEN o.succeeded THEN 2 WHEN s.attempts >= j.max_attempts THEN 3 ELSE 0 END,
                value = CASE WHEN o.succeeded THEN o.value ELSE NULL END,
                error = CASE WHEN o.succeeded THEN NULL ELSE o.error END,
                lease_until = NULL,
                cpu_seconds = s.cpu_seconds + o.cpu_seconds
            FROM unnest(@job_ids, @numbers, @attempts, @succeeded, @values, @errors, @cpu_seconds)
                     AS o (job_id, number, attempt, succeeded, value, error, cpu_seconds)
                 JOIN jobs j ON j.id = o.job_id
            WHERE s.job_id = o.job_id AND s.number = o.number
              AND CASE WHEN o.succeeded THEN s.state <> 2 AND NOT j.cancelled ELSE s.state = 1 AND s.attempts = o.attempt END
            """;

        var merged = JobRules.PerSlice(outcomes);
        if (merged.Count == 0)
        {
            return 0;
        }

        // Safe to send again: a second run finds every slice it changed in another state or on another attempt.
        return await database.ExecuteAsync(
            Sql,
            parameters =>
            {
                parameters.Add(new NpgsqlParameter<string[]>("job_ids", [.. merged.Select(o => o.JobId)]));
                parameters.Add(new NpgsqlParameter<int[]>("numbers", [.. merged.Select(o => o.Number)]));
                parameters.Add(new NpgsqlParameter<int[]>("attempts", [.. merged.Select(o => o.Attempt)]));
                parameters.Add(new NpgsqlParameter<bool[]>("succeeded", [.. merged.Select(o => o.Succeeded)]));
                parameters.Add(new NpgsqlParameter<string[]>("values", [.. merged.Select(o => o.Value)]));
                parameters.Add(new NpgsqlParameter<string[]>("errors", [.. merged.Select(o => o.Error)]));
                parameters.Add(new NpgsqlParameter<double[]>("cpu_seconds", [.. merged.Select(o => o.CpuSeconds)]));
            },
            cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Sql = "DELETE FROM jobs WHERE expires_at <= @now";

        var purged = await database.ExecuteAsync(Sql, parameters => parameters.Add(PostgresDatabase.Time("now", now)), cancellationToken);
        StoreLog.JobsPurged(logger, purged);
        return purged;
    }

    private static DateTimeOffset ReadTime(System.Data.Common.DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static void BindJob(NpgsqlParameterCollection parameters, string jobId) =>
        parameters.Add(new NpgsqlParameter<string>("job_id", jobId));
}
