using Fleet.Contracts;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>Spare executors (Python's here; FaasmWasmTests claims a WebAssembly one): started without a function, claimed by a cold start, limited as the function says.</summary>
public sealed class SpareTests : IAsyncLifetime
{
    private const string NoCgroups = "spares need cgroup v1 (their limits are set when they are claimed)";

    private readonly TestPool _pool = new(options => options.SpareInstances = 1);

    private string SparesDirectory => _pool.Pool.SparesDirectory;

    [Fact]
    public async Task A_cold_start_claims_the_spare_which_holds_only_its_functions_code_and_a_new_spare_follows()
    {
        Assert.SkipUnless(TestPool.HasCgroups, NoCgroups);
        await WaitForSpareAsync();
        var spares = Directory.GetDirectories(SparesDirectory);
        var first = _pool.DeployWork(RuntimeNames.Python);
        var second = _pool.Deploy(RuntimeNames.Python, "other.work", new Dictionary<string, string>
        {
            ["other.py"] = "import os\ndef work(params, context):\n    return sorted(os.listdir('/code'))\n",
        });

        var cold = await _pool.InvokeAsync(first);
        Assert.True(_pool.Pool.SparesClaimed == 1, $"the first cold start did not run in the spare: {_pool.Pool.LastSpareLoss}");
        var warm = await _pool.InvokeAsync(first);
        await WaitForSpareAsync();
        var other = await _pool.InvokeAsync(second);

        ExecutorTests.AssertSucceeded(cold);
        Assert.False(cold.IsWarmStart);
        Assert.True(spares.Count(spare => File.Exists(Path.Combine(spare, "fn.py"))) == 1, "the claimed spare holds the function's code");
        ExecutorTests.AssertSucceeded(warm);
        Assert.Equal(2, ExecutorTests.Calls(warm));
        ExecutorTests.AssertSucceeded(other);
        Assert.Equal("""["other.py"]""", other.Result);
    }

    [Fact]
    public async Task A_claimed_spare_is_held_to_the_functions_MemoryMB()
    {
        Assert.SkipUnless(TestPool.HasCgroups, NoCgroups);
        await WaitForSpareAsync();
        var function = _pool.Deploy(RuntimeNames.Python, "probe.allocate", Probes.Python, memoryMB: 128);

        var within = await _pool.InvokeAsync(function, """{"mb": 32}""");
        var beyond = await _pool.InvokeAsync(function, """{"mb": 512}""");

        ExecutorTests.AssertSucceeded(within);
        Assert.Equal(InvocationStatus.Failed, beyond.Status);
        Assert.Equal("instance exited: out of memory (limit 128 MB)", beyond.Error);
    }

    [Fact]
    public async Task A_spares_tmp_and_dev_shm_are_as_large_as_the_workers_budget_which_it_was_started_with()
    {
        Assert.SkipUnless(TestPool.HasCgroups, NoCgroups);
        await WaitForSpareAsync();
        var function = _pool.Deploy(RuntimeNames.Python, "probe.scratch", Probes.Python, memoryMB: 128);

        var execution = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(execution);
        Assert.True(_pool.Pool.SparesClaimed == 1, $"the call did not run in the spare: {_pool.Pool.LastSpareLoss}");
        var budget = _pool.Options.MemoryBudgetMB * 1024L * 1024L;
        Assert.Contains($$"""{"/tmp": {{budget}}, "/dev/shm": {{budget}}}""", execution.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_that_cannot_load_in_a_spare_fails_with_the_reason()
    {
        Assert.SkipUnless(TestPool.HasCgroups, NoCgroups);
        await WaitForSpareAsync();
        var function = _pool.Deploy(RuntimeNames.Python, "fn.nothing", Functions.Python);

        var failed = await _pool.InvokeAsync(function);

        Assert.Equal(InvocationStatus.Failed, failed.Status);
        Assert.StartsWith("AttributeError: module 'fn' has no attribute 'nothing'", failed.Error, StringComparison.Ordinal);
        Assert.Equal(0, _pool.Pool.Snapshot().Instances);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    /// <summary>Waits until a spare of every runtime that has them is started and ready to be claimed.</summary>
    private async Task WaitForSpareAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_pool.Pool.SpareCount < Runtimes.Catalog.RuntimeCatalog.Spares.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "no spare started after 10 s");
            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }
    }
}
