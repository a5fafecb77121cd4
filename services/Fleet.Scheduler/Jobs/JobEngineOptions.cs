namespace Fleet.Scheduler.Jobs;

/// <summary>How the job engine dispatches slices (section <c>Scheduler:Jobs</c>).</summary>
public sealed class JobEngineOptions
{
    public const string SectionName = "Scheduler:Jobs";

    /// <summary>How often the engine looks in the store for jobs with new or overdue slices (another scheduler's, or its own after a restart).</summary>
    public double SweepSeconds { get; set; } = 1;

    /// <summary>Slices in one call, at most: a call of many small slices costs one message and one executor round trip.</summary>
    public int MaxSlicesPerCall { get; set; } = 1000;

    /// <summary>
    /// Slices in a job's first call, which measures how long its slices take (the job's other calls wait for it, or for
    /// a few seconds); also the size of its calls when that call never came back.
    /// </summary>
    public int FirstSlicesPerCall { get; set; } = 4;

    /// <summary>How long a call of slices should take: the engine sizes calls so each runs about this long.</summary>
    public double TargetCallSeconds { get; set; } = 1;

    /// <summary>The data of one call's slices, at most, in bytes (one slice larger than this goes alone).</summary>
    public int MaxCallDataBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Added to the function's timeout for a slice's lease: a slice whose call has not reported by then is claimed
    /// again (its worker died or its message was lost).
    /// </summary>
    public double LeaseGraceSeconds { get; set; } = 30;
}
