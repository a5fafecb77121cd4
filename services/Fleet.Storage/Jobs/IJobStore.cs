namespace Fleet.Storage.Jobs;

/// <summary>
/// Jobs of many slices (DCP's open jobs) and each slice's datum, state and result, keyed by (job, slice number). Slices
/// are numbered 1, 2, 3… in the order they arrive. The engine claims slices that are new or overdue in batches, the
/// workers store their outcomes (first result wins: a slice is returned at most once, whatever runs again), and
/// facades read counters and results by range in pages. Counters are counted from the slices (an index on
/// (job, state)), never kept apart from them. Every read and write of slices is bounded by a limit or a range: no
/// operation holds a whole job.
/// </summary>
public interface IJobStore
{
    /// <summary>
    /// Stores the job and its first slices (numbered 1…k, <see cref="JobRecord.TotalSlices"/> is ignored and set to k)
    /// in one transaction; false when the id is taken.
    /// </summary>
    Task<bool> CreateAsync(JobRecord job, IReadOnlyList<string> slices, CancellationToken cancellationToken);

    /// <summary>
    /// Appends slices after the job's last one, in one transaction (concurrent appends never share a number), and
    /// moves its expiry to <paramref name="expiresAt"/>. An empty list appends nothing and still reports the total.
    /// </summary>
    Task<AppendResult> AppendAsync(string jobId, IReadOnlyList<string> slices, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>The job and its counters, or null when there is none (or it expired at or before <paramref name="now"/>).</summary>
    Task<JobSummary?> GetAsync(string jobId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The owner's unexpired jobs, newest first, at most <paramref name="limit"/>, each with its counters.</summary>
    Task<IReadOnlyList<JobSummary>> ListAsync(string owner, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>How many unexpired jobs the owner has.</summary>
    Task<int> CountAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks the job cancelled (again is no change); false when there is no such job.</summary>
    Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>The returned slices numbered <paramref name="from"/> to <paramref name="to"/> (inclusive), ascending, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SliceResult>> ResultsAsync(string jobId, int from, int to, int limit, CancellationToken cancellationToken);

    /// <summary>The failed slices (attempts exhausted), ascending, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<FailedSlice>> FailedAsync(string jobId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Ids of jobs not cancelled or expired that have a new slice or an overdue one (scheduled, its lease ended at or
    /// before <paramref name="now"/>), at most <paramref name="limit"/>: what the engine drives after a restart.
    /// </summary>
    Task<IReadOnlyList<string>> ClaimableJobsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> of the job's slices, lowest numbers first: new ones, and overdue ones
    /// (scheduled, lease ended at or before <paramref name="now"/>). Each becomes scheduled with one attempt more and
    /// the lease <paramref name="leaseUntil"/>. An overdue slice that has used all the job's attempts is not claimed but
    /// failed ("no result in time"). Nothing is claimed for a cancelled job. Concurrent claims never take the same slice.
    /// </summary>
    Task<IReadOnlyList<ClaimedSlice>> ClaimAsync(
        string jobId, int max, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Hands claimed slices back unrun (placement refused them): new again, the attempt not counted.</summary>
    Task ReleaseAsync(string jobId, IReadOnlyList<ClaimedSlice> slices, CancellationToken cancellationToken);

    /// <summary>
    /// Stores attempts' outcomes, in one statement or transaction for the whole list, and returns how many changed a
    /// slice. A success returns the slice unless it is returned already or its job is cancelled (a late or repeated
    /// result is discarded). A failure counts only for the attempt the slice is on (state scheduled, same attempt
    /// number): the slice becomes failed when that was the job's last attempt, new (to be claimed again) otherwise; its
    /// error is kept either way. An outcome that changes its slice adds its CPU seconds to it.
    /// </summary>
    Task<int> CompleteAsync(IReadOnlyList<SliceOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>Deletes the jobs, with their slices, that expired at or before <paramref name="now"/>; returns how many jobs.</summary>
    Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
