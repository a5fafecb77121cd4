namespace Fleet.Scheduler;

public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    /// <summary>Unique per scheduler process; generated when empty.</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>Calls waiting for a free slot, at most, before new ones are refused (429). 0 means no queue.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>A worker silent for this long is taken out of placement.</summary>
    public double WorkerSilenceSeconds { get; set; } = 3;
}
