using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>
/// What the worker's own memory does while a function runs. The managed heap is the whole process's, so these run
/// alone, after the tests that run in parallel: another test's allocations would be counted as theirs.
/// </summary>
[Collection(nameof(MemoryCollection))]
public sealed class WorkerMemoryTests : IAsyncLifetime
{
    private readonly TestPool _pool = new();

    [Fact]
    public async Task Stderr_written_without_newlines_is_not_buffered_by_the_worker()
    {
        var function = _pool.Deploy(RuntimeNames.Python, "flood.work", new Dictionary<string, string>
        {
            ["flood.py"] = """
                import os

                def work(params, context):
                    chunk = b"x" * (1 << 20)
                    for _ in range(params["mb"]):
                        os.write(2, chunk)
                    return params["mb"]
                """,
        });
        await _pool.InvokeAsync(function, """{"mb": 1}""");
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var flood = await _pool.InvokeAsync(function, """{"mb": 256}""");

        ExecutorTests.AssertSucceeded(flood);
        Assert.Equal("256", flood.Result);
        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(growth < 64L << 20, $"the worker kept {growth >> 20} MB after 256 MB of stderr");
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}

[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public sealed class MemoryCollection;
