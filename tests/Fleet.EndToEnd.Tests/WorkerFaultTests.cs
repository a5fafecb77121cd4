using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Workers that die or stop mid-run lose nothing: every accepted call ends with its right result, once. Nor does a
/// store that drops its connections. A stopped scheduler does not stop warm sync calls.
/// </summary>
[Collection(nameof(FaultCollection))]
public sealed class WorkerFaultTests(FaultCluster fleet)
{
    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Fact]
    public async Task Killing_a_worker_during_200_async_calls_loses_none_of_them()
    {
        var name = ServerledgeApi.UniqueName("slow");
        await _api.CreateOkAsync(name, "python310", "slow.work", SampleFunctions.Slow);

        // Half before the kill (some running on the victim), half after (placed on it until the scheduler notices).
        var ids = await _api.SubmitDoublingAsync(name, 0, 100);
        await _api.PollUntilDoneAsync(ids[0].Id, TimeSpan.FromSeconds(60));
        fleet.Workers[1].Kill();
        ids.AddRange(await _api.SubmitDoublingAsync(name, 100, 100));

        await _api.AssertAllDoubledAsync(ids, TimeSpan.FromSeconds(90));
        await DeleteAsync(name);
    }

    [Fact]
    public async Task A_worker_stopped_with_SIGTERM_finishes_or_hands_back_its_work_and_exits_cleanly()
    {
        var name = ServerledgeApi.UniqueName("slow");
        await _api.CreateOkAsync(name, "python310", "slow.work", SampleFunctions.Slow);
        fleet.StartWorker(3);
        await WaitForLiveWorkersAsync();

        var ids = await _api.SubmitDoublingAsync(name, 0, 100);
        await _api.PollUntilDoneAsync(ids[0].Id, TimeSpan.FromSeconds(60));
        var exitCode = await fleet.Workers[3].StopAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
        await _api.AssertAllDoubledAsync(ids, TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Warm_sync_calls_go_from_gateway_to_worker_and_are_served_while_the_scheduler_is_down()
    {
        var name = ServerledgeApi.UniqueName("slow");
        await _api.CreateOkAsync(name, "python310", "slow.work", SampleFunctions.Slow);
        await _api.InvokeOkAsync(name, new { Params = new { n = "1" } });

        // The gateway learns of the now idle instance from the worker's next heartbeat (one a second).
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        Assert.Equal(0, await fleet.Scheduler.StopAsync(TimeSpan.FromSeconds(30)));
        try
        {
            for (var n = 2; n <= 4; n++)
            {
                // Without a scheduler a call that the gateway does not place itself waits in fleet-scheduler.
                using var noScheduler = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                using var response = await _api.InvokeAsync(name, new { Params = new { n = n.ToString(System.Globalization.CultureInfo.InvariantCulture) } }, noScheduler.Token);
                var report = await response.Content.ReadFromJsonAsync<JsonElement>(noScheduler.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal((n * 2).ToString(System.Globalization.CultureInfo.InvariantCulture), report.GetProperty("Result").GetString());
                Assert.True(report.GetProperty("IsWarmStart").GetBoolean());
            }
        }
        finally
        {
            await DeleteAsync(name);
            fleet.StartScheduler();
            await fleet.WaitForSchedulerAsync();
        }
    }

    [Fact]
    public async Task Calls_that_need_the_store_wait_out_a_drop_of_its_connections()
    {
        var warm = ServerledgeApi.UniqueName("slow");
        await _api.CreateOkAsync(warm, "python310", "slow.work", SampleFunctions.Slow);
        await _api.AssertAllDoubledAsync(await _api.SubmitDoublingAsync(warm, 0, 20), TimeSpan.FromSeconds(90));
        Assert.True(await fleet.DropStoreSessionsAsync("Fleet.Worker") > 0, "the workers held no store sessions to drop");

        // A new function is cold everywhere: a worker's first store use after the drop reads its package.
        var cold = ServerledgeApi.UniqueName("slow");
        await _api.CreateOkAsync(cold, "python310", "slow.work", SampleFunctions.Slow);
        await _api.AssertAllDoubledAsync(await _api.SubmitDoublingAsync(cold, 0, 40), TimeSpan.FromSeconds(90));
        await DeleteAsync(warm);
        await DeleteAsync(cold);
    }

    /// <summary>Its warm instances would hold memory that <see cref="WaitForLiveWorkersAsync"/> expects free.</summary>
    private async Task DeleteAsync(string name)
    {
        using var deleted = await fleet.Gateway.PostAsJsonAsync("/delete", new { Name = name });
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    private async Task WaitForLiveWorkersAsync()
    {
        var live = fleet.Workers.Values.Count(w => !w.HasExited);
        await fleet.WaitForWorkersAsync(live);
    }

}

public sealed class FaultCluster : FleetCluster;

[CollectionDefinition(nameof(FaultCollection))]
public sealed class FaultCollection : ICollectionFixture<FaultCluster>;
