namespace Fleet.Worker.Runtimes;

/// <summary>Which limiter is in force on this machine: cgroup v1 groups when they can be made, resource limits otherwise.</summary>
internal static class SandboxLimits
{
    public const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>The controllers an instance's limits live in, each with a fleet/&lt;worker&gt;/&lt;instance&gt; group.</summary>
    public static readonly IReadOnlyList<string> Controllers = ["memory", "cpu", "pids"];

    private static readonly Lazy<LimiterKind> Detected = new(Detect);

    public static LimiterKind Current => Detected.Value;

    private static LimiterKind Detect()
    {
        try
        {
            foreach (var controller in Controllers)
            {
                var probe = Path.Combine(CgroupRoot, controller, "fleet", $"probe-{Environment.ProcessId}");
                Directory.CreateDirectory(probe);
                var writable = File.Exists(Path.Combine(probe, "cgroup.procs"));
                Directory.Delete(probe);
                if (!writable)
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
