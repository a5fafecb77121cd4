namespace Fleet.Worker.Runtimes;

/// <summary>How instance limits are enforced.</summary>
internal enum LimiterKind
{
    /// <summary>cgroup v1 memory, cpu and pids groups per instance: memory, CPU share and processes.</summary>
    Cgroup,

    /// <summary>Resource limits only: address space for Python, V8 heap size for Node; no CPU share or process cap.</summary>
    Rlimit,
}
