namespace Fleet.Worker.Runtimes;

/// <summary>How this worker launches instances; fixed at start-up from <see cref="WorkerOptions"/> and the machine.</summary>
internal sealed record SandboxProfile
{
    /// <summary>Drops the launcher to an unprivileged host user before bubblewrap starts (when the worker runs as root).</summary>
    public const string SetprivPath = "/usr/bin/setpriv";

    public const int SandboxUserId = 65534;

    public required bool Sandbox { get; init; }

    public required LimiterKind Limiter { get; init; }

    /// <summary>This run's name (<see cref="WorkerRun.Name"/>): its instances' cgroups live under fleet/&lt;run&gt;.</summary>
    public required string RunId { get; init; }

    public required string ExecutorDirectory { get; init; }

    public required string PythonPath { get; init; }

    public required string NodePath { get; init; }

    public required int MaxProcesses { get; init; }

    /// <summary>The largest result a call may return (<see cref="WorkerOptions.MaxResultBytes"/>).</summary>
    public required int MaxResultBytes { get; init; }

    /// <summary>Instances run as host uid 65534 rather than as root mapped into a user namespace.</summary>
    public required bool DropPrivileges { get; init; }

    /// <summary>The worker's budget: the size of a spare's /tmp and /dev/shm, as a spare does not know its function yet.</summary>
    public required int MemoryBudgetMB { get; init; }

    /// <summary>The seccomp program's file (see <see cref="SeccompFilter"/>), written once per worker; empty without the sandbox.</summary>
    public required string SeccompFile { get; init; }

    /// <summary>What of the host's system instances see; found once per worker.</summary>
    public required SystemView System { get; init; }

    public static SandboxProfile From(WorkerOptions options, string runId, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var executors = Path.Combine(AppContext.BaseDirectory, "Runtimes", "Executors");
        return new SandboxProfile
        {
            Sandbox = options.Sandbox,
            Limiter = SandboxLimits.Current,
            RunId = runId,
            ExecutorDirectory = executors,
            PythonPath = options.PythonPath,
            NodePath = options.NodePath,
            MaxProcesses = options.MaxProcesses,
            MaxResultBytes = options.MaxResultBytes,
            DropPrivileges = options.Sandbox && Environment.IsPrivilegedProcess && File.Exists(SetprivPath)
                && OthersCanReach(runDirectory) && OthersCanReach(executors),
            MemoryBudgetMB = options.MemoryBudgetMB,
            SeccompFile = options.Sandbox ? SeccompFilter.WriteTo(Path.Combine(options.DataDirectory, "sandbox")) : "",
            System = options.Sandbox ? SystemView.Discover(options.PythonPath, options.NodePath) : SystemView.None,
        };
    }

    /// <summary>The unprivileged user can only bind what every ancestor directory lets others traverse.</summary>
    private static bool OthersCanReach(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        for (var directory = Path.GetFullPath(path); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (Directory.Exists(directory) && (File.GetUnixFileMode(directory) & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }
}
