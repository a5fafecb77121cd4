using System.Data.Common;

namespace Fleet.Storage.Jobs;

/// <summary>
/// How rows of <c>jobs</c> and <c>job_slices</c> become documents, and the SQL both providers share. A slice's state is
/// 0 new, 1 scheduled, 2 returned, 3 failed (migration 0009).
/// </summary>
internal static class JobRows
{
    /// <summary>The SQL the two providers share: results and failures by the (job, state, number) index.</summary>
    public const string ResultsSql = """
        SELECT number, value FROM job_slices
        WHERE job_id = @job_id AND state = 2 AND number >= @from AND number <= @to
        ORDER BY number
        LIMIT @limit
        """;

    public const string FailedSql = """
        SELECT number, error, attempts FROM job_slices
        WHERE job_id = @job_id AND state = 3
        ORDER BY number
        LIMIT @limit
        """;

    public const string CountSql = "SELECT count(*) FROM jobs WHERE owner = @owner AND expires_at > @now";

    public const string CancelSql = "UPDATE jobs SET cancelled = true WHERE id = @job_id";

    /// <summary>Jobs with a new or overdue slice, oldest first; each probe is one lookup in the (job, state, number) index.</summary>
    public const string ClaimableJobsSql = """
        SELECT j.id FROM jobs j
        WHERE NOT j.cancelled AND j.expires_at > @now
          AND (EXISTS (SELECT 1 FROM job_slices s WHERE s.job_id = j.id AND s.state = 0)
               OR EXISTS (SELECT 1 FROM job_slices s WHERE s.job_id = j.id AND s.state = 1 AND s.lease_until <= @now))
        ORDER BY j.created_at, j.id
        LIMIT @limit
        """;

    /// <summary>
    /// Summaries from rows of <c>id, owner, function, document, max_attempts, created_at, expires_at, cancelled,
    /// total_slices, new, scheduled, returned, failed, cpu_seconds</c>; <paramref name="readTime"/> reads the provider's
    /// timestamp column.
    /// </summary>
    public static async Task<List<JobSummary>> ReadSummariesAsync(
        this DbCommand command, Func<DbDataReader, int, DateTimeOffset> readTime, CancellationToken cancellationToken)
    {
        var summaries = new List<JobSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var job = new JobRecord
            {
                Id = reader.GetString(0),
                Owner = reader.GetString(1),
                Function = StoreDocuments.ReadFunction(reader.GetString(2)),
                Document = reader.GetString(3),
                MaxAttempts = reader.GetInt32(4),
                CreatedAt = readTime(reader, 5),
                ExpiresAt = readTime(reader, 6),
                Cancelled = reader.GetBoolean(7),
                TotalSlices = reader.GetInt32(8),
            };
            var counts = new SliceCounts(reader.GetInt32(9), reader.GetInt32(10), reader.GetInt32(11), reader.GetInt32(12), reader.GetDouble(13));
            summaries.Add(new JobSummary(job, counts));
        }

        return summaries;
    }

    /// <summary>
    /// Claimed slices from rows of <c>number, datum, attempts, claimed</c> (false: the slice had no attempt left and was
    /// failed instead), lowest number first.
    /// </summary>
    public static async Task<IReadOnlyList<ClaimedSlice>> ReadClaimedAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        var slices = new List<ClaimedSlice>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetBoolean(3))
            {
                slices.Add(new ClaimedSlice(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2)));
            }
        }

        slices.Sort((a, b) => a.Number.CompareTo(b.Number));
        return slices;
    }

    /// <summary>Job ids from rows of <c>id</c>.</summary>
    public static async Task<IReadOnlyList<string>> ReadIdsAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Returned slices from rows of <c>number, value</c>.</summary>
    public static async Task<IReadOnlyList<SliceResult>> ReadResultsAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        var results = new List<SliceResult>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(new SliceResult(reader.GetInt32(0), reader.GetString(1)));
        }

        return results;
    }

    /// <summary>Failed slices from rows of <c>number, error, attempts</c>.</summary>
    public static async Task<IReadOnlyList<FailedSlice>> ReadFailedAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        var failed = new List<FailedSlice>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            failed.Add(new FailedSlice(reader.GetInt32(0), reader.IsDBNull(1) ? "" : reader.GetString(1), reader.GetInt32(2)));
        }

        return failed;
    }
}
