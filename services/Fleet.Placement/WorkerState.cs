namespace Fleet.Placement;

/// <summary>What one placer knows of one worker: its last heartbeat plus the work it placed since.</summary>
internal sealed class WorkerState(string id)
{
    public string Id { get; } = id;

    public Uri Address { get; set; } = null!;

    public int Slots { get; set; }

    /// <summary>Invocations this placer placed on the worker that have not been released yet.</summary>
    public int Inflight { get; set; }

    public int MemoryBudgetMB { get; set; }

    public int MemoryUsedMB { get; set; }

    public double Cpus { get; set; }

    public bool Draining { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public Dictionary<string, int> IdleWarm { get; } = new(StringComparer.Ordinal);

    public int FreeSlots => Math.Max(0, Slots - Inflight);

    public int FreeMemoryMB => Math.Max(0, MemoryBudgetMB - MemoryUsedMB);
}
