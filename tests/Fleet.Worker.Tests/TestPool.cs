using System.Globalization;
using Fleet.Contracts;
using Fleet.Storage.Packages;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.Containers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Worker.Tests;

/// <summary>
/// A real <see cref="InstancePool"/> (bubblewrap, executors, cgroups where the machine has them) with its own data
/// directory, worker id and hand-moved clock; disposing stops every instance and removes what the pool left behind.
/// </summary>
internal sealed class TestPool : IAsyncDisposable
{
    private readonly MemoryBlobSource _packages = new();

    /// <summary>
    /// A pool with a 2 GB budget, no spares (SpareTests has those) and the worker's defaults otherwise, changed by
    /// <paramref name="configure"/>; the default package limits unless <paramref name="packageLimits"/> are given.
    /// </summary>
    public TestPool(Action<WorkerOptions>? configure = null, PackageLimits? packageLimits = null)
    {
        WorkerId = $"test-{Guid.NewGuid():N}";
        DataDirectory = Path.Combine(Path.GetTempPath(), "fleet-worker-tests", WorkerId);
        // No container engine unless a test asks for one (ContainerTests).
        Options = new WorkerOptions { WorkerId = WorkerId, DataDirectory = DataDirectory, MemoryBudgetMB = 2048, SpareInstances = 0, DockerEndpoint = "" };
        configure?.Invoke(Options);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Engine = new ContainerEngine(options, new WorkerIdentity(options), NullLogger<ContainerEngine>.Instance);
        Pool = new InstancePool(
            options, Microsoft.Extensions.Options.Options.Create(packageLimits ?? PackageLimits.Default),
            _packages, Engine, NullLogger<InstancePool>.Instance, Time);
    }

    public static bool HasCgroups => SandboxLimits.Current == LimiterKind.Cgroup;

    public string WorkerId { get; }

    public string DataDirectory { get; }

    public WorkerOptions Options { get; }

    public ManualTime Time { get; } = new();

    public InstancePool Pool { get; }

    public ContainerEngine Engine { get; }

    /// <summary>Stores the files as a package and describes a new function (unique name and generation) that runs it.</summary>
    public FunctionSpec Deploy(string runtime, string handler, IReadOnlyDictionary<string, string> files, int memoryMB = 128, int timeoutSeconds = 10) =>
        DeployBytes(runtime, handler, CodePackage.Of(files), memoryMB, timeoutSeconds);

    public FunctionSpec DeployBytes(string runtime, string handler, byte[] package, int memoryMB = 128, int timeoutSeconds = 10) => new()
    {
        Namespace = FunctionNamespaces.Serverledge,
        Name = $"fn-{Guid.NewGuid():N}",
        Runtime = runtime,
        Handler = handler,
        MemoryMB = memoryMB,
        TimeoutSeconds = timeoutSeconds,
        PackageHash = _packages.Add(package),
        Generation = Guid.NewGuid().ToString("N"),
    };

    public Task<Execution> InvokeAsync(FunctionSpec function, string paramsJson = "{}", bool returnOutput = false) =>
        Pool.InvokeAsync(function, paramsJson, returnOutput, TestContext.Current.CancellationToken);

    /// <summary>Instance groups of this worker still on the machine (each holds a live or unreaped instance); empty without cgroups.</summary>
    public IReadOnlyList<string> InstanceGroups() =>
        SandboxLimits.Controllers.SelectMany(controller =>
        {
            var directory = WorkerGroup(controller);
            return Directory.Exists(directory) ? Directory.GetDirectories(directory) : [];
        }).ToList();

    /// <summary>
    /// Waits until every launcher of this pool has ended and been reaped. A live launcher names its code directory
    /// (under DataDirectory) on its command line; an exiting or unreaped one has an empty command line and is still a
    /// child of this process (any pool's: waiting for those too only costs a moment).
    /// </summary>
    public async Task WaitForLaunchersToEndAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Directory.GetDirectories("/proc").Any(IsLauncherOrEndingChild))
        {
            Assert.True(DateTime.UtcNow < deadline, "instance processes still there after 10 s");
            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Pool.DisposeAsync();
        Engine.Dispose();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        foreach (var directory in SandboxLimits.Controllers.Select(WorkerGroup).Where(Directory.Exists))
        {
            Directory.Delete(directory);
        }
    }

    private bool IsLauncherOrEndingChild(string process)
    {
        try
        {
            var commandLine = File.ReadAllText(Path.Combine(process, "cmdline"));
            if (commandLine.Length > 0)
            {
                return commandLine.Contains(DataDirectory, StringComparison.Ordinal);
            }

            // "pid (comm) state ppid ...": the name may hold spaces and parentheses, the fields after it do not.
            var stat = File.ReadAllText(Path.Combine(process, "stat"));
            var parent = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
            return parent == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string WorkerGroup(string controller) => Path.Combine(SandboxLimits.CgroupRoot, controller, "fleet", Pool.RunId);
}
