namespace Fleet.Placement;

/// <summary>The rules every placer (scheduler, and gateway for warm sync calls) applies.</summary>
public sealed class PlacementOptions
{
    public const string SectionName = "Placement";

    /// <summary>Calls waiting for a free slot, at most, before new ones are refused (429). 0 means no queue.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>A worker silent for this long is taken out of placement.</summary>
    public double WorkerSilenceSeconds { get; set; } = 3;

    /// <summary>A worker silent for this long is forgotten; should it come back, it starts afresh.</summary>
    public double ForgetWorkerAfterSeconds { get; set; } = 60;
}
