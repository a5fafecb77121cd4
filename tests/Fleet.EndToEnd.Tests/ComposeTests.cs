using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// docker-compose.yml for real: the images built, the fleet up with two workers, Serverledge's example through the
/// compose gateway, sandboxes without a network inside the worker containers, a worker container killed during 200
/// async calls with nothing lost, a third worker that takes calls, and the queues as RabbitMQ's management API lists them.
/// </summary>
public sealed class ComposeTests(ComposeDeployment fleet) : IClassFixture<ComposeDeployment>
{
    private static readonly Dictionary<string, string> Functions = new()
    {
        ["compose.py"] = """
            import socket

            def reach(params, context):
                outcomes = []
                for host, port in params["targets"]:
                    try:
                        socket.create_connection((host, int(port)), timeout=2).close()
                        outcomes.append("connected")
                    except OSError as e:
                        outcomes.append("blocked: " + type(e).__name__)
                return outcomes

            def allocate(params, context):
                return len(b"x" * (int(params["mb"]) * 1024 * 1024))
            """,
    };

    private readonly ServerledgeApi _api = new(fleet.Serverledge);

    [Fact]
    public async Task The_seed_example_runs_sync_and_async_through_the_compose_gateway()
    {
        var name = ServerledgeApi.UniqueName("isprime");
        await _api.CreateOkAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime);

        var sync = await _api.InvokeOkAsync(name, new { Params = new { n = "17" } });
        Assert.True(ServerledgeApi.ResultOf(sync).GetProperty("IsPrime").GetBoolean());
        var polled = await _api.PollUntilDoneAsync(await _api.InvokeAsyncCallAsync(name, new() { ["n"] = "18" }), TimeSpan.FromSeconds(60));
        Assert.True(polled.GetProperty("Success").GetBoolean(), polled.GetRawText());
        Assert.False(ServerledgeApi.ResultOf(polled).GetProperty("IsPrime").GetBoolean());
        await DeleteAsync(name);
    }

    [Fact]
    public async Task A_function_in_a_worker_container_reaches_no_network()
    {
        var rabbitMq = (await fleet.ComposeAsync(TimeSpan.FromMinutes(1), "ps", "-q", "rabbitmq")).Trim();
        var rabbitMqAddress = (await fleet.DockerAsync("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", rabbitMq)).Trim();
        Assert.True(IPAddress.TryParse(rabbitMqAddress, out _), rabbitMqAddress);

        var name = ServerledgeApi.UniqueName("reach");
        await _api.CreateOkAsync(name, "python310", "compose.reach", Functions);
        // RabbitMQ by name and by address, and the worker's own health port in its container.
        object[] targets = [new object[] { "rabbitmq", 5672 }, new object[] { rabbitMqAddress, 5672 }, new object[] { "127.0.0.1", 8100 }];
        var outcomes = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(name, new { Params = new { targets } }));

        Assert.Equal(3, outcomes.GetArrayLength());
        Assert.All(outcomes.EnumerateArray(), outcome => Assert.StartsWith("blocked", outcome.GetString(), StringComparison.Ordinal));
        await DeleteAsync(name);
    }

    [Fact]
    public async Task Memory_beyond_MemoryMB_in_a_worker_container_ends_the_call_as_out_of_memory_by_its_cgroup()
    {
        var name = ServerledgeApi.UniqueName("allocate");
        using (var created = await _api.CreateAsync(name, "python310", "compose.allocate", Functions, memoryMB: 128))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var within = await _api.PollUntilDoneAsync(await _api.InvokeAsyncCallAsync(name, new() { ["mb"] = "16" }), TimeSpan.FromSeconds(60));
        var beyond = await _api.PollUntilDoneAsync(await _api.InvokeAsyncCallAsync(name, new() { ["mb"] = "512" }), TimeSpan.FromSeconds(60));

        Assert.True(within.GetProperty("Success").GetBoolean(), within.GetRawText());
        Assert.False(beyond.GetProperty("Success").GetBoolean(), beyond.GetRawText());
        // The cgroup's own verdict: with resource limits only, Python would raise MemoryError instead.
        Assert.Contains("out of memory (limit 128 MB)", beyond.GetProperty("Output").GetString(), StringComparison.Ordinal);
        await DeleteAsync(name);
    }

    [Fact]
    public async Task Killing_a_worker_container_during_200_async_calls_loses_none_then_a_third_worker_takes_calls()
    {
        var name = ServerledgeApi.UniqueName("slow");
        await _api.CreateOkAsync(name, "python310", "slow.work", SampleFunctions.Slow);
        var workers = await fleet.WorkerContainersAsync();
        Assert.Equal(2, workers.Count);

        // Half before the kill (some running in the victim), half after (placed on it until the scheduler notices).
        var calls = await _api.SubmitDoublingAsync(name, 0, 100);
        await _api.PollUntilDoneAsync(calls[0].Id, TimeSpan.FromSeconds(60));
        await fleet.DockerAsync("kill", workers[1]);
        calls.AddRange(await _api.SubmitDoublingAsync(name, 100, 100));
        await _api.AssertAllDoubledAsync(calls, TimeSpan.FromSeconds(120));

        // --no-recreate keeps the two (the killed one restarted by its restart policy) as they are.
        await fleet.ComposeAsync(TimeSpan.FromMinutes(5), "up", "-d", "--no-recreate", "--scale", "worker=3");
        await fleet.WaitForWorkersAsync(3, TimeSpan.FromMinutes(3));
        var added = (await fleet.WorkerContainersAsync()).Except(workers).Single();

        // Sync calls side by side, more than two workers' slots: the scheduler places some on the new worker.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        long delivered = 0;
        while (delivered == 0 && DateTime.UtcNow < deadline)
        {
            var reports = await Task.WhenAll(Enumerable.Range(0, 40).Select(n => _api.InvokeOkAsync(name, new { Params = new { n = n.ToString(CultureInfo.InvariantCulture) } })));
            Assert.All(reports, report => Assert.True(report.GetProperty("Success").GetBoolean()));
            // The management API's message counts are sampled every few seconds.
            await Task.Delay(TimeSpan.FromSeconds(6));
            delivered = ComposeDeployment.WorkQueueOf(added, await fleet.QueuesAsync())?.Delivered ?? 0;
        }

        Assert.True(delivered > 0, $"no call reached the new worker {added[..12]}");
        await DeleteAsync(name);
    }

    [Fact]
    public async Task The_management_api_lists_the_fleets_queues()
    {
        var queues = await fleet.QueuesAsync();

        Assert.Contains(queues, queue => queue.Name == "fleet-scheduler" && queue.Consumers > 0);
        Assert.Contains(queues, queue => queue.Name == "fleet-work" && queue.Consumers > 0);
        foreach (var worker in await fleet.WorkerContainersAsync())
        {
            Assert.NotNull(ComposeDeployment.WorkQueueOf(worker, queues));
        }
    }

    private async Task DeleteAsync(string name)
    {
        using var deleted = await fleet.Serverledge.PostAsJsonAsync("/delete", new { Name = name });
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }
}
