using System.Text.Json;
using Fleet.Contracts;
using RuntimeNames = Fleet.Contracts.Runtimes;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.Worker.Tests;

/// <summary>Custom images in the worker's pool on the local Docker engine: warm reuse, keep-alive, clean-up, and what fails.</summary>
public sealed class CustomContainerPoolTests(CustomImageFixture image) : IClassFixture<CustomImageFixture>, IAsyncLifetime
{
    private const string Engine = "unix:///var/run/docker.sock";

    private readonly TestPool _pool = new(options => (options.DockerEndpoint, options.KeepAliveSeconds) = (Engine, 60));

    private string WorkerLabel => $"fleet.worker={_pool.WorkerId}";

    [Fact]
    public async Task A_custom_instance_is_reused_warm_and_its_container_removed_after_keep_alive()
    {
        var function = Deploy(image.Image.Tag);

        var cold = await _pool.InvokeAsync(function, """{"op": "sum", "a": 1, "b": 2}""");
        var warm = await _pool.InvokeAsync(function, """{"op": "sum", "a": 3, "b": 4}""", returnOutput: true);

        Assert.Equal(InvocationStatus.Succeeded, cold.Status);
        Assert.False(cold.IsWarmStart);
        Assert.True(warm.IsWarmStart);
        Assert.Equal(7, JsonDocument.Parse(warm.Result).RootElement.GetProperty("sum").GetInt32());
        Assert.Contains("custom function runs sum", warm.Stdout, StringComparison.Ordinal);
        Assert.Single(await DockerCli.ContainersAsync(WorkerLabel));
        Assert.Contains(RuntimeNames.Custom, _pool.Pool.Runtimes);

        _pool.Time.Advance(TimeSpan.FromSeconds(61));
        await _pool.Pool.SweepAsync(TestContext.Current.CancellationToken);

        Assert.Empty(await DockerCli.ContainersAsync(WorkerLabel));
        Assert.Equal(0, _pool.Pool.Snapshot().MemoryUsedMB);
    }

    [Fact]
    public async Task A_failing_command_fails_the_call_and_a_missing_image_fails_it_clearly()
    {
        var failed = await _pool.InvokeAsync(Deploy(image.Image.Tag), """{"op": "fail"}""", returnOutput: true);
        var missing = await _pool.InvokeAsync(Deploy($"fleet-test-custom-missing-{Guid.NewGuid():N}"), "{}");

        Assert.Equal(InvocationStatus.Failed, failed.Status);
        Assert.Contains("failing on purpose", failed.Stdout, StringComparison.Ordinal);
        Assert.Equal(InvocationStatus.Failed, missing.Status);
        Assert.Contains("is not on this worker", missing.Error, StringComparison.Ordinal);
        Assert.Single(await DockerCli.ContainersAsync(WorkerLabel));
    }

    [Fact]
    public async Task A_call_past_its_timeout_ends_its_container()
    {
        var function = Deploy(image.Image.Tag, timeoutSeconds: 1);

        var slow = await _pool.InvokeAsync(function, """{"op": "sleep", "seconds": 30}""");

        Assert.Equal(InvocationStatus.TimedOut, slow.Status);
        Assert.Empty(await DockerCli.ContainersAsync(WorkerLabel));
    }

    [Fact]
    public async Task Disposing_the_pool_removes_its_containers_and_a_new_engine_removes_what_a_run_left()
    {
        await _pool.InvokeAsync(Deploy(image.Image.Tag), """{"op": "sum", "a": 1, "b": 2}""");
        await _pool.Pool.DisposeAsync();
        Assert.Empty(await DockerCli.ContainersAsync(WorkerLabel));

        // A container an earlier run of this worker left (killed before it could remove it).
        await DockerCli.RunAsync("create", "--label", WorkerLabel, "--network", "none", CustomImage.BaseImage, "true");
        Assert.Single(await DockerCli.ContainersAsync(WorkerLabel));
        await using var restarted = new TestPool(options => (options.WorkerId, options.DockerEndpoint) = (_pool.WorkerId, Engine));

        Assert.Empty(await DockerCli.ContainersAsync(WorkerLabel));
    }

    [Fact]
    public async Task Without_an_engine_the_custom_runtime_is_not_offered()
    {
        await using var pool = new TestPool(options => options.DockerEndpoint = "unix:///nonexistent/docker.sock");

        var call = await pool.InvokeAsync(Deploy(image.Image.Tag), "{}");

        Assert.DoesNotContain(RuntimeNames.Custom, pool.Pool.Runtimes);
        Assert.Equal(InvocationStatus.Failed, call.Status);
        Assert.Contains("not supported", call.Error, StringComparison.Ordinal);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync();
        await DockerCli.RemoveContainersAsync(WorkerLabel);
    }

    private static FunctionSpec Deploy(string customImage, int timeoutSeconds = 10) => new()
    {
        Namespace = FunctionNamespaces.Serverledge,
        Name = $"fn-{Guid.NewGuid():N}",
        Runtime = RuntimeNames.Custom,
        Handler = "",
        MemoryMB = 128,
        CpuDemand = 0.5,
        TimeoutSeconds = timeoutSeconds,
        PackageHash = "",
        Generation = Guid.NewGuid().ToString("N"),
        CustomImage = customImage,
    };
}
