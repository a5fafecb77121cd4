using System.Diagnostics;
using Fleet.Worker.Runtimes;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>The worker's disk stays bounded: unpacked packages and the leftovers of ended runs do not pile up.</summary>
public sealed class PackageDiskTests : IAsyncLifetime
{
    private readonly TestPool _pool = new(options => options.KeepAliveSeconds = 60);

    private string Packages => Path.Combine(_pool.Pool.RunDirectory, "packages");

    [Fact]
    public async Task Deleting_the_functions_removes_their_unpacked_packages_and_the_space_comes_back()
    {
        var first = _pool.DeployBytes(RuntimeNames.Python, "fn.work", WithFiller("a"));
        var second = _pool.DeployBytes(RuntimeNames.Python, "fn.work", WithFiller("b"));
        ExecutorTests.AssertSucceeded(await _pool.InvokeAsync(first));
        ExecutorTests.AssertSucceeded(await _pool.InvokeAsync(second));
        Assert.Equal(2, Directory.GetDirectories(Packages).Length);
        Assert.InRange(BytesUnder(Packages), 8 << 20, 9 << 20);

        _pool.Pool.Retire(first.Key, first.Generation);
        _pool.Pool.Retire(second.Key, second.Generation);

        await WaitUntilAsync(() => Directory.GetFileSystemEntries(Packages).Length == 0, "the packages are still on the disk");
        Assert.Equal(0, BytesUnder(Packages));
        Assert.Equal(0, _pool.Pool.PackageCount);
    }

    [Fact]
    public async Task A_package_shared_by_two_functions_stays_until_both_are_deleted()
    {
        var package = CodePackage.Of(Functions.Python);
        var first = _pool.DeployBytes(RuntimeNames.Python, "fn.work", package);
        var second = _pool.DeployBytes(RuntimeNames.Python, "fn.work", package);
        ExecutorTests.AssertSucceeded(await _pool.InvokeAsync(first));
        ExecutorTests.AssertSucceeded(await _pool.InvokeAsync(second));

        _pool.Pool.Retire(first.Key, first.Generation);
        await WaitUntilAsync(() => _pool.Pool.Snapshot().Instances == 1, "the first function's instance did not stop");
        var warm = await _pool.InvokeAsync(second);
        _pool.Pool.Retire(second.Key, second.Generation);

        ExecutorTests.AssertSucceeded(warm);
        Assert.True(warm.IsWarmStart);
        await WaitUntilAsync(() => Directory.GetFileSystemEntries(Packages).Length == 0, "the shared package is still on the disk");
    }

    [Fact]
    public async Task A_package_no_instance_used_for_the_keep_alive_time_is_removed_and_unpacked_again_when_needed()
    {
        var function = _pool.DeployWork(RuntimeNames.Python);
        ExecutorTests.AssertSucceeded(await _pool.InvokeAsync(function));

        _pool.Time.Advance(TimeSpan.FromSeconds(30));
        await _pool.Pool.SweepAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, _pool.Pool.Snapshot().Instances);
        Assert.Single(Directory.GetDirectories(Packages));

        _pool.Time.Advance(TimeSpan.FromSeconds(31));
        await _pool.Pool.SweepAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, _pool.Pool.Snapshot().Instances);
        _pool.Time.Advance(TimeSpan.FromSeconds(61));
        await _pool.Pool.SweepAsync(TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => Directory.GetFileSystemEntries(Packages).Length == 0, "the idle package is still on the disk");

        var again = await _pool.InvokeAsync(function);
        ExecutorTests.AssertSucceeded(again);
        Assert.False(again.IsWarmStart);
    }

    [Fact]
    public async Task A_pool_removes_what_ended_runs_left_its_own_name_at_once_others_in_the_background_and_live_runs_keep_theirs()
    {
        var workerId = $"test-{Guid.NewGuid():N}";
        var ownName = WorkerRun.Name(workerId);
        var ended = $"{workerId}-other-{EndedPid()}";
        var live = $"{workerId}-live-{Environment.ProcessId}";
        var dataDirectory = Path.Combine(Path.GetTempPath(), "fleet-worker-tests", workerId);
        var leftovers = new[] { ownName, ended }.Select(run => Path.Combine(dataDirectory, "runs", run, "packages", "stale")).ToList();
        leftovers.ForEach(folder => Directory.CreateDirectory(folder));
        var groups = TestPool.HasCgroups
            ? SandboxLimits.Controllers.SelectMany(controller =>
                new[] { ownName, ended }.Select(run => Path.Combine(SandboxLimits.CgroupRoot, controller, "fleet", run, "killed-1"))).ToList()
            : [];
        groups.ForEach(group => Directory.CreateDirectory(group));
        var liveGroups = TestPool.HasCgroups
            ? SandboxLimits.Controllers.Select(controller => Path.Combine(SandboxLimits.CgroupRoot, controller, "fleet", live)).ToList()
            : [];
        liveGroups.ForEach(group => Directory.CreateDirectory(group));
        var liveFolder = Directory.CreateDirectory(Path.Combine(dataDirectory, "runs", live)).FullName;

        await using var pool = new TestPool(options =>
        {
            options.WorkerId = workerId;
            options.DataDirectory = dataDirectory;
        });

        Assert.False(Directory.Exists(leftovers[0]));
        Assert.All(groups.Where(group => group.Contains(ownName, StringComparison.Ordinal)), group => Assert.False(Directory.Exists(group), group));
        await WaitUntilAsync(
            () => !Directory.Exists(Path.Combine(dataDirectory, "runs", ended)) && groups.All(group => !Directory.Exists(Path.GetDirectoryName(group))),
            "an ended run's folder or groups are still there");
        Assert.True(Directory.Exists(liveFolder), "a live run's folder was removed");
        Assert.All(liveGroups, group => Assert.True(Directory.Exists(group), group));
        liveGroups.ForEach(Directory.Delete);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    /// <summary>The work function and 4 MiB of incompressible text, so each package is clearly visible on the disk.</summary>
    private static byte[] WithFiller(string name) => CodePackage.Of(new Dictionary<string, string>(Functions.Python)
    {
        [$"{name}.txt"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3 << 20)),
    });

    private static long BytesUnder(string directory) =>
        Directory.Exists(directory) ? new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length) : 0;

    /// <summary>The id of a process that has exited (and so names no live run).</summary>
    private static int EndedPid()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }
    }
}
