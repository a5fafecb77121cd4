using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Faults the fleet must heal from on its own: lost slot releases, a worker killed mid-call and restarted under its
/// id, RabbitMQ and PostgreSQL restarted under load. Each ends with every accepted call completed right, every queue
/// consumed again, the scheduler counting every slot free, and a run of thousands of async calls all completing right.
/// </summary>
[Collection(nameof(HealingCollection))]
public sealed class FleetHealingTests(HealingCluster fleet, ITestOutputHelper output)
{
    private const int Run = 3000;

    private static readonly Dictionary<string, string> Double = new()
    {
        ["double.py"] = """
            import time

            def work(params, context):
                time.sleep(float(params.get("sleep", 0)))
                return int(params["n"]) * 2
            """,
    };

    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Fact]
    public Task Lost_slot_releases_are_corrected_by_the_next_heartbeats() => WithFunctionAsync(async name =>
    {
        await using (await fleet.CutSchedulerInstanceQueueAsync())
        {
            await AssertAllDoneRightAsync(await SubmitAsync(name, 300, concurrency: 16));
        }
    });

    [Fact]
    public Task A_worker_killed_mid_call_and_restarted_under_its_id_gets_its_slots_back() => WithFunctionAsync(async name =>
    {
        var accepted = await SubmitAsync(name, 40, concurrency: 8, sleep: 0.5);
        await _api.PollUntilDoneAsync(accepted[0].Id, TimeSpan.FromSeconds(60));
        fleet.Workers[1].Kill();
        fleet.StartWorker(1);

        await AssertAllDoneRightAsync(accepted);
    });

    [Fact]
    public Task RabbitMQ_restarted_under_load_loses_no_accepted_call_and_the_fleet_serves_at_full_speed_after() =>
        FaultUnderLoadAsync(() => TestServers.RestartRabbitMqAsync(down: TimeSpan.FromSeconds(3)));

    [Fact]
    public Task PostgreSQL_restarted_under_load_loses_no_accepted_call_and_the_fleet_serves_at_full_speed_after() =>
        FaultUnderLoadAsync(TestServers.RestartPostgresAsync);

    /// <summary>
    /// Fastmap's batches are sync calls: one the fleet cannot run or answer while a server restarts is answered
    /// INITALIZING, which the client sends again, so a run of ten threads mapping through the restart loses no batch.
    /// </summary>
    [Theory]
    [InlineData("RabbitMQ")]
    [InlineData("PostgreSQL")]
    public async Task Fastmap_batches_mapped_while_a_server_restarts_all_come_back_right(string server)
    {
        var mapping = ClientPrograms.FastmapScenarioAsync(fleet.GatewayUrl, "maps_through_faults", "30");
        await Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await (server == "RabbitMQ" ? TestServers.RestartRabbitMqAsync(down: TimeSpan.FromSeconds(3)) : TestServers.RestartPostgresAsync());

        var printed = await mapping;

        output.WriteLine(printed);
        Assert.Contains("batches", printed);
        await WaitForQuietAsync();
    }

    [Fact]
    public async Task While_the_store_is_down_the_gateway_answers_503_with_the_reason_and_serves_again_after()
    {
        await using (await fleet.BlockStoreAsync())
        {
            using var invoke = await _api.InvokeAsync(ServerledgeApi.UniqueName("uncached"), new { });
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "the function store cannot be reached"), (invoke.StatusCode, await invoke.Content.ReadAsStringAsync()));
            using var list = await fleet.Gateway.GetAsync("/function");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);

            // Upstream's own answer when it cannot read results.
            using var poll = await fleet.Gateway.GetAsync("/poll/any-1");
            Assert.Equal((HttpStatusCode.InternalServerError, "Could not retrieve results"), (poll.StatusCode, await poll.Content.ReadAsStringAsync()));
        }

        var name = await CreateAsync();
        Assert.Equal("8", (await _api.InvokeOkAsync(name, new { Params = new { n = "4" } })).GetProperty("Result").GetString());
        await DeleteAsync(name);
    }

    /// <summary>
    /// A function made for one fault: a full run on a quiet fleet first, then the fault, then the fleet must heal; the
    /// function is deleted whatever happens, since its warm instances hold memory the next test expects free.
    /// </summary>
    private async Task WithFunctionAsync(Func<string, Task> fault)
    {
        var name = await CreateAsync();
        try
        {
            await WaitForQuietAsync();
            await FullRunAsync(name, "before the fault");
            await fault(name);
            await AssertHealedAsync(name);
        }
        finally
        {
            await DeleteAsync(name);
        }
    }

    /// <summary>The fault a second into a run of <see cref="Run"/> async calls; then every accepted one must complete right.</summary>
    private Task FaultUnderLoadAsync(Func<Task> fault) => WithFunctionAsync(async name =>
    {
        var load = SubmitAsync(name, Run, concurrency: 16);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        await fault();

        await AssertAllDoneRightAsync(await load);
    });

    private async Task<string> CreateAsync()
    {
        var name = ServerledgeApi.UniqueName("double");
        await _api.CreateOkAsync(name, "python310", "double.work", Double);
        return name;
    }

    private async Task DeleteAsync(string name)
    {
        using var deleted = await fleet.Gateway.PostAsJsonAsync("/delete", new { Name = name });
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    /// <summary>
    /// Both workers live and every slot counted free. Only waited for: the last releases of a run may still be on the
    /// way when its last poll answers.
    /// </summary>
    private async Task WaitForQuietAsync()
    {
        await WaitUntilAsync(async () => await AvailableCpusAsync() == fleet.FullCpus,
            async () => $"the scheduler counts {await AvailableCpusAsync()} CPUs free of {fleet.FullCpus}");
    }

    private async Task FullRunAsync(string name, string when)
    {
        var clock = Stopwatch.StartNew();
        var calls = await SubmitAsync(name, Run, concurrency: 16);
        Assert.Equal(Run, calls.Count);
        await AssertAllDoneRightAsync(calls);
        output.WriteLine($"{when}: {Run} async calls accepted and completed in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({Run / clock.Elapsed.TotalSeconds:F0} calls/s)");
    }

    /// <summary>
    /// Every queue consumed, the scheduler back to counting every slot free (no call runs now), then a full run whose
    /// every call completes right; its rate is printed (figures, not a timed assertion).
    /// </summary>
    private async Task AssertHealedAsync(string name)
    {
        await WaitUntilAsync(async () => (await fleet.QueuesWithoutConsumersAsync()).Count == 0,
            async () => $"queues nobody consumes: {string.Join(", ", await fleet.QueuesWithoutConsumersAsync())}");
        await WaitForQuietAsync();
        await FullRunAsync(name, "after healing");
    }

    private async Task<double> AvailableCpusAsync()
    {
        using var status = await fleet.Gateway.GetAsync("/status");
        return status.IsSuccessStatusCode ? (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("AvailableCPUs").GetDouble() : -1;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<Task<string>> failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await Safely(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(await failure());
            }

            await Task.Delay(250);
        }
    }

    private static async Task<bool> Safely(Func<Task<bool>> condition)
    {
        try
        {
            return await condition();
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> async calls from <paramref name="concurrency"/> callers and returns those the
    /// gateway accepted (answered with a ReqId); a call it refused while a server was down is not accepted.
    /// </summary>
    private async Task<List<(string Id, int N)>> SubmitAsync(string name, int count, int concurrency, double sleep = 0)
    {
        var accepted = new ConcurrentBag<(string, int)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (n, ct) =>
        {
            var body = new
            {
                Params = new Dictionary<string, object> { ["n"] = n.ToString(CultureInfo.InvariantCulture), ["sleep"] = sleep.ToString(CultureInfo.InvariantCulture) },
                Async = true,
            };
            try
            {
                using var response = await fleet.Gateway.PostAsJsonAsync($"/invoke/{name}", body, ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    accepted.Add(((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("ReqId").GetString()!, n));
                }
            }
            catch (HttpRequestException)
            {
                // Not accepted.
            }
        });
        return [.. accepted];
    }

    private async Task AssertAllDoneRightAsync(List<(string Id, int N)> calls)
    {
        var wrong = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (call, _) =>
        {
            var report = await _api.PollUntilDoneAsync(call.Id, TimeSpan.FromSeconds(120), storeMayBeDown: true);
            if (!report.GetProperty("Success").GetBoolean()
                || report.GetProperty("Result").GetString() != (call.N * 2).ToString(CultureInfo.InvariantCulture))
            {
                wrong.Add($"{call.Id}: {report.GetRawText()}");
            }
        });
        Assert.True(wrong.IsEmpty, $"{wrong.Count} of {calls.Count} accepted calls ended wrong, e.g. {wrong.FirstOrDefault()}");
    }
}

public sealed class HealingCluster : FleetCluster;

[CollectionDefinition(nameof(HealingCollection))]
public sealed class HealingCollection : ICollectionFixture<HealingCluster>;
