namespace Fleet.Scheduler;

public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    /// <summary>Unique per scheduler process; generated when empty.</summary>
    public string InstanceId { get; set; } = "";
}
