namespace Fleet.Worker.Runtimes;

/// <summary>Which limiter is in force on this machine: cgroup v1 groups when they can be made, resource limits otherwise.</summary>
internal static class SandboxLimits
{
    public const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>The controllers an instance's limits live in, each with a fleet/&lt;worker&gt;/&lt;instance&gt; group.</summary>
    public static readonly IReadOnlyList<string> Controllers = ["memory", "cpu", "pids"];

    /// <summary>A cgroup v1 limit file of each controller, in the order of <see cref="Controllers"/>.</summary>
    private static readonly IReadOnlyList<string> LimitFiles = ["memory.limit_in_bytes", "cpu.cfs_quota_us", "pids.max"];

    private static readonly Lazy<LimiterKind> Detected = new(() => Detect(CgroupRoot));

    public static LimiterKind Current => Detected.Value;

    /// <summary>
    /// The limiter usable with the hierarchies under <paramref name="cgroupRoot"/>: cgroup v1 only when each controller
    /// is mounted there and a probe group gets its v1 limit file. A cgroup v2 tree would let the probe group be made
    /// (with a cgroup.procs) but reject the v1 limits at every instance start.
    /// </summary>
    public static LimiterKind Detect(string cgroupRoot)
    {
        try
        {
            foreach (var (controller, limitFile) in Controllers.Zip(LimitFiles))
            {
                var hierarchy = Path.Combine(cgroupRoot, controller);
                if (!Directory.Exists(hierarchy))
                {
                    return LimiterKind.Rlimit;
                }

                var probe = Path.Combine(hierarchy, "fleet", $"probe-{Environment.ProcessId}");
                Directory.CreateDirectory(probe);
                var usable = File.Exists(Path.Combine(probe, "cgroup.procs")) && File.Exists(Path.Combine(probe, limitFile));
                Directory.Delete(probe);
                if (!usable)
                {
                    return LimiterKind.Rlimit;
                }
            }

            return LimiterKind.Cgroup;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return LimiterKind.Rlimit;
        }
    }
}
