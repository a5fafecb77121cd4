namespace Fleet.Worker.Runtimes;

/// <summary>The pool at one moment: idle instances per function name, memory reserved by live instances, busy and live counts.</summary>
internal sealed record PoolSnapshot(IReadOnlyDictionary<string, int> IdleWarm, int MemoryUsedMB, int Busy, int Instances);
