using System.Text;

namespace Fleet.Storage.Jobs;

/// <summary>What both job stores check and agree on before they touch a row.</summary>
internal static class JobRules
{
    /// <summary>The longest job id (<see cref="JobRecord.Id"/>).</summary>
    public const int MaxIdLength = 200;

    /// <summary>The error of a slice whose last attempt's lease ended without an outcome.</summary>
    public const string TimedOut = "no result in time";

    public static void EnsureNew(JobRecord job, IReadOnlyList<string> slices)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(slices);
        EnsureId(job.Id);
        ArgumentException.ThrowIfNullOrEmpty(job.Owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(job.MaxAttempts, 1);
    }

    public static void EnsureId(string jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        if (jobId.Length > MaxIdLength || !Ascii.IsValid(jobId))
        {
            throw new ArgumentException($"A job id is 1 to {MaxIdLength} ASCII characters.", nameof(jobId));
        }
    }

    /// <summary>
    /// What an append did, from whether the job exists, whether it was open (the slices went in) and its total after.
    /// </summary>
    public static AppendResult Appended(bool found, bool open, int total, int appended) =>
        open ? new AppendResult(true, true, total - appended + 1, total, total) : new AppendResult(found, false, 0, 0, total);

    public static void EnsureLimit(int limit) => ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

    /// <summary>
    /// One outcome per slice, ordered by job (ordinal) and number, so that one statement changes each slice once and
    /// every writer locks slices in the same order: the first success listed wins, else the failure of the highest
    /// attempt; the CPU seconds of all of them are summed.
    /// </summary>
    public static List<SliceOutcome> PerSlice(IReadOnlyList<SliceOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var merged = new Dictionary<(string JobId, int Number), SliceOutcome>();
        foreach (var outcome in outcomes)
        {
            var key = (outcome.JobId, outcome.Number);
            if (!merged.TryGetValue(key, out var kept))
            {
                merged[key] = outcome;
                continue;
            }

            var winner = kept.Succeeded || (!outcome.Succeeded && kept.Attempt >= outcome.Attempt) ? kept : outcome;
            merged[key] = winner with { CpuSeconds = kept.CpuSeconds + outcome.CpuSeconds };
        }

        return [.. merged.Values.OrderBy(o => o.JobId, StringComparer.Ordinal).ThenBy(o => o.Number)];
    }
}
