namespace Fleet.Worker;

public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>Unique per worker process; generated when empty.</summary>
    public string WorkerId { get; set; } = "";

    /// <summary>Invocations this worker runs at once.</summary>
    public int Slots { get; set; } = 8;

    /// <summary>Memory all live instances of this worker may reserve together (each reserves its function's MemoryMB).</summary>
    public int MemoryBudgetMB { get; set; } = 4096;

    /// <summary>Cores offered to the fleet; 0 means the machine's processor count.</summary>
    public double Cpus { get; set; }

    /// <summary>An idle instance is stopped after this long without a call.</summary>
    public int KeepAliveSeconds { get; set; } = 600;

    /// <summary>Live instances of one function on this worker, at most.</summary>
    public int MaxInstancesPerFunction { get; set; } = 16;

    /// <summary>Unpacked packages and instance scratch space; under the git-ignored .fleet folder by default.</summary>
    public string DataDirectory { get; set; } = ".fleet/work";

    public string PythonPath { get; set; } = "/usr/bin/python3";

    public string NodePath { get; set; } = "/usr/bin/node";

    /// <summary>Processes (and threads) one instance may have.</summary>
    public int MaxProcesses { get; set; } = 64;

    /// <summary>
    /// Executors of each runtime that has them (Python, WebAssembly) kept started, in their sandboxes, without a
    /// function: a cold start claims one instead of starting an interpreter. Used where cgroups carry the limits (they
    /// are set at the claim); 0 turns them off.
    /// </summary>
    public int SpareInstances { get; set; } = 2;

    /// <summary>
    /// A newly registered function's package is unpacked here before its first call when it is at most this large
    /// (8 MiB); 0 turns it off. Unused packages go after KeepAliveSeconds, as any other.
    /// </summary>
    public long PrefetchPackageBytes { get; set; } = 8 << 20;

    /// <summary>
    /// The largest result (the JSON text of a handler's return value) a call may have; a larger one fails the call.
    /// Captured output is cut to the same size. 6 MiB, as AWS Lambda allows a synchronous response.
    /// </summary>
    public int MaxResultBytes { get; set; } = 6 << 20;

    /// <summary>
    /// The Docker engine that runs custom images (Serverledge's <c>custom</c> runtime), e.g. unix:///var/run/docker.sock;
    /// empty turns them off. A worker offers the custom runtime only when the engine answers a ping at its start.
    /// </summary>
    public string DockerEndpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>Run instances under bubblewrap. Turning it off is for development on machines without it only.</summary>
    public bool Sandbox { get; set; } = true;
}
