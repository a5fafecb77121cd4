using System.Data.Common;
using Fleet.Storage.Jobs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Fleet.Storage.Sqlite;

/// <summary>
/// Jobs and their slices in SQLite (migration 0009). Writes of several rows run in one <c>BEGIN IMMEDIATE</c>
/// transaction, one prepared statement per row; SQLite has one writer at a time, so appends never share a number and
/// claims never take the same slice. A claim is one statement.
/// </summary>
internal sealed class SqliteJobStore(SqliteDatabase database, ILogger logger) : IJobStore
{
    /// <summary>The columns <see cref="JobRows.ReadSummariesAsync"/> reads, for the jobs <c>j</c>.</summary>
    private const string SummaryColumns = """
        j.id, j.owner, j.function, j.document, j.max_attempts, j.created_at, j.expires_at, j.cancelled, j.total_slices,
        (SELECT count(*) FROM job_slices WHERE job_id = j.id AND state = 0),
        (SELECT count(*) FROM job_slices WHERE job_id = j.id AND state = 1),
        (SELECT count(*) FROM job_slices WHERE job_id = j.id AND state = 2),
        (SELECT count(*) FROM job_slices WHERE job_id = j.id AND state = 3),
        (SELECT coalesce(sum(cpu_seconds), 0.0) FROM job_slices WHERE job_id = j.id)
        FROM jobs j
        """;

    private const string InsertSliceSql = "INSERT INTO job_slices (job_id, number, datum) VALUES (@job_id, @number, @datum)";

    public Task<bool> CreateAsync(JobRecord job, IReadOnlyList<string> slices, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO jobs (id, owner, function, document, max_attempts, created_at, expires_at, cancelled, total_slices)
            VALUES (@job_id, @owner, @function, @document, @max_attempts, @created_at, @expires_at, @cancelled, @total_slices)
            ON CONFLICT (id) DO NOTHING
            """;

        JobRules.EnsureNew(job, slices);
        return database.TransactAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = new SqliteCommand(Sql, connection, transaction);
                command.Parameters.AddWithValue("@job_id", job.Id);
                command.Parameters.AddWithValue("@owner", job.Owner);
                command.Parameters.AddWithValue("@function", StoreDocuments.Write(job.Function));
                command.Parameters.AddWithValue("@document", job.Document);
                command.Parameters.AddWithValue("@max_attempts", job.MaxAttempts);
                command.Parameters.AddWithValue("@created_at", SqliteDatabase.ToMicroseconds(job.CreatedAt));
                command.Parameters.AddWithValue("@expires_at", SqliteDatabase.ToMicroseconds(job.ExpiresAt));
                command.Parameters.AddWithValue("@cancelled", job.Cancelled);
                command.Parameters.AddWithValue("@total_slices", slices.Count);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return false;
                }

                await InsertSlicesAsync(connection, transaction, job.Id, 1, slices, ct);
                return true;
            },
            static created => created,
            cancellationToken);
    }

    public Task<AppendResult> AppendAsync(string jobId, IReadOnlyList<string> slices, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        const string UpdateSql = """
            UPDATE jobs SET total_slices = total_slices + @count, expires_at = @expires_at
            WHERE id = @job_id AND NOT cancelled
            RETURNING total_slices
            """;
        const string TotalSql = "SELECT total_slices FROM jobs WHERE id = @job_id";

        JobRules.EnsureId(jobId);
        ArgumentNullException.ThrowIfNull(slices);
        return database.TransactAsync(
            async (connection, transaction, ct) =>
            {
                await using var update = new SqliteCommand(UpdateSql, connection, transaction);
                update.Parameters.AddWithValue("@job_id", jobId);
                update.Parameters.AddWithValue("@count", slices.Count);
                update.Parameters.AddWithValue("@expires_at", SqliteDatabase.ToMicroseconds(expiresAt));
                if (await update.ExecuteScalarAsync(ct) is long total)
                {
                    await InsertSlicesAsync(connection, transaction, jobId, (int)total - slices.Count + 1, slices, ct);
                    return JobRules.Appended(found: true, open: true, (int)total, slices.Count);
                }

                await using var read = new SqliteCommand(TotalSql, connection, transaction);
                read.Parameters.AddWithValue("@job_id", jobId);
                return await read.ExecuteScalarAsync(ct) is long closed
                    ? JobRules.Appended(found: true, open: false, (int)closed, 0)
                    : JobRules.Appended(found: false, open: false, 0, 0);
            },
            static appended => appended.Open,
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
                parameters.AddWithValue("@job_id", jobId);
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
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
                parameters.AddWithValue("@owner", owner);
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
                parameters.AddWithValue("@limit", limit);
            },
            static (command, ct) => command.ReadSummariesAsync(ReadTime, ct),
            cancellationToken);
    }

    public Task<int> CountAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunAsync(
            JobRows.CountSql,
            parameters =>
            {
                parameters.AddWithValue("@owner", owner);
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
            },
            static async (command, ct) => (int)(long)(await command.ExecuteScalarAsync(ct))!,
            cancellationToken);

    public async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        JobRules.EnsureId(jobId);
        return await database.ExecuteAsync(JobRows.CancelSql, parameters => parameters.AddWithValue("@job_id", jobId), cancellationToken) == 1;
    }

    public Task<IReadOnlyList<SliceResult>> ResultsAsync(string jobId, int from, int to, int limit, CancellationToken cancellationToken)
    {
        JobRules.EnsureId(jobId);
        JobRules.EnsureLimit(limit);
        return database.RunAsync(
            JobRows.ResultsSql,
            parameters =>
            {
                parameters.AddWithValue("@job_id", jobId);
                parameters.AddWithValue("@from", from);
                parameters.AddWithValue("@to", to);
                parameters.AddWithValue("@limit", limit);
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
                parameters.AddWithValue("@job_id", jobId);
                parameters.AddWithValue("@limit", limit);
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
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
                parameters.AddWithValue("@limit", limit);
            },
            static (command, ct) => command.ReadIdsAsync(ct),
            cancellationToken);
    }

    public Task<IReadOnlyList<ClaimedSlice>> ClaimAsync(
        string jobId, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        // The SET expressions read the row as it was; RETURNING reads it as it became (state 1: claimed, 3: failed).
        const string Sql = """
            WITH job AS (SELECT max_attempts FROM jobs WHERE id = @job_id AND NOT cancelled),
            candidates AS (
                SELECT number FROM (SELECT number FROM job_slices WHERE job_id = @job_id AND state = 1 AND lease_until <= @now ORDER BY number LIMIT @max)
                UNION ALL
                SELECT number FROM (SELECT number FROM job_slices WHERE job_id = @job_id AND state = 0 ORDER BY number LIMIT @max)
                ORDER BY number LIMIT @max)
            UPDATE job_slices SET
                state = CASE WHEN state = 1 AND attempts >= (SELECT max_attempts FROM job) THEN 3 ELSE 1 END,
                attempts = CASE WHEN state = 1 AND attempts >= (SELECT max_attempts FROM job) THEN attempts ELSE attempts + 1 END,
                lease_until = CASE WHEN state = 1 AND attempts >= (SELECT max_attempts FROM job) THEN NULL ELSE @lease_until END,
                error = CASE WHEN state = 1 AND attempts >= (SELECT max_attempts FROM job) THEN @timed_out ELSE error END
            WHERE job_id = @job_id AND number IN (SELECT number FROM candidates) AND EXISTS (SELECT 1 FROM job)
            RETURNING number, datum, attempts, state = 1
            """;

        JobRules.EnsureId(jobId);
        JobRules.EnsureLimit(max);
        return database.RunAsync(
            Sql,
            parameters =>
            {
                parameters.AddWithValue("@job_id", jobId);
                parameters.AddWithValue("@max", max);
                parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
                parameters.AddWithValue("@lease_until", SqliteDatabase.ToMicroseconds(leaseUntil));
                parameters.AddWithValue("@timed_out", JobRules.TimedOut);
            },
            static (command, ct) => command.ReadClaimedAsync(ct),
            cancellationToken);
    }

    public async Task ReleaseAsync(string jobId, IReadOnlyList<ClaimedSlice> slices, CancellationToken cancellationToken)
    {
        const string Sql = """
            UPDATE job_slices SET state = 0, attempts = attempts - 1, lease_until = NULL
            WHERE job_id = @job_id AND number = @number AND state = 1 AND attempts = @attempt
            """;

        JobRules.EnsureId(jobId);
        ArgumentNullException.ThrowIfNull(slices);
        if (slices.Count == 0)
        {
            return;
        }

        await database.TransactAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = new SqliteCommand(Sql, connection, transaction);
                command.Parameters.AddWithValue("@job_id", jobId);
                var number = command.Parameters.Add("@number", SqliteType.Integer);
                var attempt = command.Parameters.Add("@attempt", SqliteType.Integer);
                command.Prepare();
                foreach (var slice in slices)
                {
                    (number.Value, attempt.Value) = (slice.Number, slice.Attempt);
                    await command.ExecuteNonQueryAsync(ct);
                }

                return true;
            },
            static _ => true,
            cancellationToken);
    }

    public Task<int> CompleteAsync(IReadOnlyList<SliceOutcome> outcomes, CancellationToken cancellationToken)
    {
        const string Sql = """
            UPDATE job_slices SET
                state = CASE WHEN @succeeded THEN 2 WHEN attempts >= (SELECT max_attempts FROM jobs WHERE id = @job_id) THEN 3 ELSE 0 END,
                value = CASE WHEN @succeeded THEN @value ELSE NULL END,
                error = CASE WHEN @succeeded THEN NULL ELSE @error END,
                lease_until = NULL,
                cpu_seconds = cpu_seconds + @cpu_seconds
            WHERE job_id = @job_id AND number = @number
              AND CASE WHEN @succeeded THEN state <> 2 AND NOT (SELECT cancelled FROM jobs WHERE id = @job_id)
                       ELSE state = 1 AND attempts = @attempt END
            """;

        var merged = JobRules.PerSlice(outcomes);
        if (merged.Count == 0)
        {
            return Task.FromResult(0);
        }

        return database.TransactAsync(
            async (connection, transaction, ct) =>
            {
                await using var command = new SqliteCommand(Sql, connection, transaction);
                var jobId = command.Parameters.Add("@job_id", SqliteType.Text);
                var number = command.Parameters.Add("@number", SqliteType.Integer);
                var attempt = command.Parameters.Add("@attempt", SqliteType.Integer);
                var succeeded = command.Parameters.Add("@succeeded", SqliteType.Integer);
                var value = command.Parameters.Add("@value", SqliteType.Text);
                var error = command.Parameters.Add("@error", SqliteType.Text);
                var cpuSeconds = command.Parameters.Add("@cpu_seconds", SqliteType.Real);
                command.Prepare();
                var changed = 0;
                foreach (var outcome in merged)
                {
                    (jobId.Value, number.Value, attempt.Value, succeeded.Value) = (outcome.JobId, outcome.Number, outcome.Attempt, outcome.Succeeded);
                    (value.Value, error.Value, cpuSeconds.Value) = (outcome.Value, outcome.Error, outcome.CpuSeconds);
                    changed += await command.ExecuteNonQueryAsync(ct);
                }

                return changed;
            },
            static _ => true,
            cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string SlicesSql = "DELETE FROM job_slices WHERE job_id IN (SELECT id FROM jobs WHERE expires_at <= @now)";
        const string JobsSql = "DELETE FROM jobs WHERE expires_at <= @now";

        var purged = await database.TransactAsync(
            async (connection, transaction, ct) =>
            {
                await using var slices = new SqliteCommand(SlicesSql, connection, transaction);
                slices.Parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
                await slices.ExecuteNonQueryAsync(ct);
                await using var jobs = new SqliteCommand(JobsSql, connection, transaction);
                jobs.Parameters.AddWithValue("@now", SqliteDatabase.ToMicroseconds(now));
                return await jobs.ExecuteNonQueryAsync(ct);
            },
            static _ => true,
            cancellationToken);
        StoreLog.JobsPurged(logger, purged);
        return purged;
    }

    private static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => SqliteDatabase.FromMicroseconds(reader.GetInt64(ordinal));

    private static async Task InsertSlicesAsync(
        SqliteConnection connection, SqliteTransaction transaction, string jobId, int firstNumber, IReadOnlyList<string> slices, CancellationToken cancellationToken)
    {
        if (slices.Count == 0)
        {
            return;
        }

        await using var command = new SqliteCommand(InsertSliceSql, connection, transaction);
        command.Parameters.AddWithValue("@job_id", jobId);
        var number = command.Parameters.Add("@number", SqliteType.Integer);
        var datum = command.Parameters.Add("@datum", SqliteType.Text);
        command.Prepare();
        for (var i = 0; i < slices.Count; i++)
        {
            (number.Value, datum.Value) = (firstNumber + i, slices[i]);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
