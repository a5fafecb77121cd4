using Fleet.Contracts;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>The warm pool's policies on real instances, with the keep-alive and LRU clock moved by hand.</summary>
public sealed class PoolTests : IAsyncLifetime
{
    private readonly TestPool _pool = new(options => (options.MemoryBudgetMB, options.KeepAliveSeconds) = (256, 60));

    [Fact]
    public async Task An_idle_instance_stays_warm_within_keep_alive_and_is_stopped_after_it()
    {
        var function = _pool.DeployWork(RuntimeNames.Python);
        await _pool.InvokeAsync(function);

        _pool.Time.Advance(TimeSpan.FromSeconds(59));
        await _pool.Pool.SweepAsync(TestContext.Current.CancellationToken);
        var warm = await _pool.InvokeAsync(function);

        Assert.True(warm.IsWarmStart);
        Assert.Equal(2, ExecutorTests.Calls(warm));

        _pool.Time.Advance(TimeSpan.FromSeconds(61));
        await _pool.Pool.SweepAsync(TestContext.Current.CancellationToken);

        Assert.Equal((0, 0, 0), Usage());
        Assert.Empty(_pool.InstanceGroups());
        var cold = await _pool.InvokeAsync(function);
        Assert.False(cold.IsWarmStart);
        Assert.Equal(1, ExecutorTests.Calls(cold));
    }

    [Fact]
    public async Task A_cold_start_without_free_memory_evicts_the_least_recently_used_idle_instance()
    {
        var first = _pool.DeployWork(RuntimeNames.Python);
        var second = _pool.DeployWork(RuntimeNames.Python);
        var third = _pool.DeployWork(RuntimeNames.Node);
        await _pool.InvokeAsync(first);
        _pool.Time.Advance(TimeSpan.FromSeconds(1));
        await _pool.InvokeAsync(second);
        _pool.Time.Advance(TimeSpan.FromSeconds(1));
        await _pool.InvokeAsync(first);
        _pool.Time.Advance(TimeSpan.FromSeconds(1));

        var evicting = await _pool.InvokeAsync(third);

        ExecutorTests.AssertSucceeded(evicting);
        var idle = _pool.Pool.Snapshot().IdleWarm;
        Assert.Equal(1, idle.GetValueOrDefault(first.Key));
        Assert.Equal(0, idle.GetValueOrDefault(second.Key));
        Assert.Equal(1, idle.GetValueOrDefault(third.Key));
        Assert.Equal((2, 256, 0), Usage());
        var stillWarm = await _pool.InvokeAsync(first);
        Assert.True(stillWarm.IsWarmStart);
        Assert.Equal(3, ExecutorTests.Calls(stillWarm));
    }

    [Fact]
    public async Task Prewarm_starts_idle_instances_evicting_only_other_functions_and_the_next_call_is_warm()
    {
        var function = _pool.DeployWork(RuntimeNames.Python);
        var other = _pool.DeployWork(RuntimeNames.Node);

        var started = await _pool.Pool.PrewarmAsync(function, 5, refreshPackage: false, TestContext.Current.CancellationToken);

        Assert.Equal(2, started);
        Assert.Equal(2, _pool.Pool.Snapshot().IdleWarm[function.Key]);
        Assert.Equal((2, 256, 0), Usage());
        Assert.Equal(1, await _pool.Pool.PrewarmAsync(other, 1, refreshPackage: false, TestContext.Current.CancellationToken));
        Assert.Equal(1, _pool.Pool.Snapshot().IdleWarm[function.Key]);
        Assert.Equal(1, await _pool.Pool.PrewarmAsync(function, 1, refreshPackage: false, TestContext.Current.CancellationToken));
        Assert.Equal(0, _pool.Pool.Snapshot().IdleWarm.GetValueOrDefault(other.Key));

        var call = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(call);
        Assert.True(call.IsWarmStart);
        Assert.Equal(0, call.ColdStartSeconds);
        Assert.Equal(1, ExecutorTests.Calls(call));
        Assert.Equal(2, _pool.Pool.Snapshot().IdleWarm[function.Key]);
        Assert.Equal(0, await _pool.Pool.PrewarmAsync(function, 1, refreshPackage: false, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Calls_beyond_MaxInstancesPerFunction_wait_for_the_busy_instance_and_reuse_it()
    {
        await using var pool = new TestPool(options => options.MaxInstancesPerFunction = 1);
        var function = pool.DeployWork(RuntimeNames.Python);

        var calls = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => pool.InvokeAsync(function)));

        Assert.All(calls, ExecutorTests.AssertSucceeded);
        Assert.Equal([1, 2, 3, 4], calls.Select(ExecutorTests.Calls).Order());
        Assert.Equal(1, calls.Count(call => !call.IsWarmStart));
        Assert.Equal(1, pool.Pool.Snapshot().Instances);
    }

    [Fact]
    public async Task A_retired_generation_loses_its_idle_instances_and_never_keeps_new_ones()
    {
        var function = _pool.DeployWork(RuntimeNames.Python);
        await _pool.InvokeAsync(function);

        _pool.Pool.Retire(function.Key, function.Generation);

        Assert.Equal((0, 0, 0), Usage());
        var again = await _pool.InvokeAsync(function);
        ExecutorTests.AssertSucceeded(again);
        Assert.False(again.IsWarmStart);
        Assert.Equal((0, 0, 0), Usage());
    }

    [Fact]
    public async Task Cancelling_a_call_kills_its_instance_and_frees_its_reservation()
    {
        var function = _pool.DeployWork(RuntimeNames.Python, timeoutSeconds: 60);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _pool.Pool.InvokeAsync(function, """{"mode": "loop"}""", returnOutput: false, cancel.Token));

        Assert.Equal((0, 0, 0), Usage());
        Assert.Empty(_pool.InstanceGroups());
        await _pool.WaitForLaunchersToEndAsync();
    }

    [Theory]
    [InlineData(RuntimeNames.Python, "missing.work", "ModuleNotFoundError: No module named 'missing'")]
    [InlineData(RuntimeNames.Python, "fn.nothing", "AttributeError: module 'fn' has no attribute 'nothing'")]
    [InlineData(RuntimeNames.Node, "missing.js", "Error: Cannot find module '/code/missing.js'")]
    public async Task A_function_that_cannot_load_fails_with_the_reason_and_frees_its_reservation(string runtime, string handler, string error)
    {
        var function = _pool.Deploy(runtime, handler, runtime == RuntimeNames.Python ? Functions.Python : Functions.Node);

        var execution = await _pool.InvokeAsync(function);

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.StartsWith(error, execution.Error, StringComparison.Ordinal);
        Assert.Equal((0, 0, 0), Usage());
        Assert.Empty(_pool.InstanceGroups());
    }

    [Fact]
    public async Task A_missing_package_or_a_function_larger_than_the_budget_fails_without_a_reservation()
    {
        var function = _pool.DeployWork(RuntimeNames.Python);
        var missing = function with { PackageHash = new string('a', 64) };
        var large = function with { MemoryMB = 257 };

        var notFound = await _pool.InvokeAsync(missing);
        var tooLarge = await _pool.InvokeAsync(large);

        Assert.Equal(InvocationStatus.Failed, notFound.Status);
        Assert.Equal($"package {missing.PackageHash} not found", notFound.Error);
        Assert.Equal(InvocationStatus.Failed, tooLarge.Status);
        Assert.Equal("function needs 257 MB, the worker's budget is 256 MB", tooLarge.Error);
        Assert.Equal((0, 0, 0), Usage());
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    /// <summary>Live instances, memory they reserve, busy ones.</summary>
    private (int Instances, int MemoryUsedMB, int Busy) Usage()
    {
        var snapshot = _pool.Pool.Snapshot();
        return (snapshot.Instances, snapshot.MemoryUsedMB, snapshot.Busy);
    }
}
