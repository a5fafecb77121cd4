#pragma warning disable CA1822
using Fleet.Contracts;
namespace Fleet.Worker.Runtimes;
internal sealed record Execution
{
    public required InvocationStatus Status { get; init; }
    public string Result { get; init; } = "";
    public string Output { get; init; } = "";
    public string Error { get; init; } = "";
    public bool IsWarmStart { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public double Duration { get; init; }
    public double ColdStartSeconds { get; init; }
}
internal sealed record PoolSnapshot(IReadOnlyDictionary<string, int> IdleWarm, int MemoryUsedMB, int Busy, int Instances);
internal sealed class InstancePool(Microsoft.Extensions.Options.IOptions<WorkerOptions> options, IPackageSource packages, ILogger<InstancePool> logger, TimeProvider time) : IAsyncDisposable
{
    public Task<Execution> InvokeAsync(FunctionSpec function, string paramsJson, bool returnOutput, CancellationToken cancellationToken) => throw new NotImplementedException($"{options}{packages}{logger}{time}");
    public Task<int> PrewarmAsync(FunctionSpec function, int instances, bool refreshPackage, CancellationToken cancellationToken) => throw new NotImplementedException();
    public void Retire(string name, string generation) { }
    public PoolSnapshot Snapshot() => throw new NotImplementedException();
    public Task SweepAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
