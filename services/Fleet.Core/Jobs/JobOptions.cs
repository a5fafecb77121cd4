namespace Fleet.Core.Jobs;

/// <summary>The rules of jobs of many slices, as every facade deploys them (section <c>Core:Jobs</c>).</summary>
public sealed class JobOptions
{
    public const string SectionName = "Core:Jobs";

    /// <summary>Attempts a slice gets (a throw, a timeout, a lost worker each use one) before it is failed.</summary>
    public int MaxAttempts { get; set; } = 2;

    /// <summary>How long one call of a job's slices may run before it is stopped and its slices' attempts fail.</summary>
    public int SliceTimeoutSeconds { get; set; } = 300;

    /// <summary>How long a job, its slices and results are kept after it was deployed or last appended to.</summary>
    public int RetentionDays { get; set; } = 7;

    /// <summary>The memory of each instance running a job's work function.</summary>
    public int FunctionMemoryMB { get; set; } = 128;
}
