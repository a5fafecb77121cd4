using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>With every slot busy and no queue room, sync calls get 429 and async ones a failed outcome.</summary>
[Collection(nameof(TightCollection))]
public sealed class AdmissionTests(TightCluster fleet)
{
    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Fact]
    public async Task Calls_beyond_capacity_and_queue_are_refused()
    {
        var busy = ServerledgeApi.UniqueName("forever");
        await _api.CreateOkAsync(busy, "python310", "fn.forever", SampleFunctions.Python, timeout: 5);
        var other = ServerledgeApi.UniqueName("double");
        await _api.CreateOkAsync(other, "python310", "fn.double", SampleFunctions.Python);

        var occupying = _api.InvokeAsync(busy, new { });
        await WaitUntilNoFreeSlotAsync();

        using var refused = await _api.InvokeAsync(other, new { Params = new { n = "1" } });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("", await refused.Content.ReadAsStringAsync());

        var asyncRefused = await _api.PollUntilDoneAsync(await _api.InvokeAsyncCallAsync(other, new() { ["n"] = "1" }), TimeSpan.FromSeconds(30));
        Assert.False(asyncRefused.GetProperty("Success").GetBoolean());

        var status = await fleet.Gateway.GetFromJsonAsync<JsonElement>("/status");
        Assert.True(status.GetProperty("DropCount").GetInt64() >= 2);

        using var stopped = await occupying;
        Assert.Equal(HttpStatusCode.InternalServerError, stopped.StatusCode);
        await AssertServedAgainAsync(other);
    }

    /// <summary>The freed slot reaches the scheduler a moment after the failed call's answer reaches the client.</summary>
    private async Task AssertServedAgainAsync(string function)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            using var response = await _api.InvokeAsync(function, new { Params = new { n = "1" } });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("2", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Result").GetString());
                return;
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the slot was never freed");
            await Task.Delay(20);
        }
    }

    private async Task WaitUntilNoFreeSlotAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await fleet.Gateway.GetFromJsonAsync<JsonElement>("/status")).GetProperty("AvailableCPUs").GetDouble() > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the endless call never took the slot");
            await Task.Delay(20);
        }
    }
}

/// <summary>One worker with one slot, and no queue.</summary>
public sealed class TightCluster : FleetCluster
{
    protected override int WorkerCount => 1;

    protected override int WorkerSlots => 1;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["Placement__QueueCapacity"] = "0" };
}

[CollectionDefinition(nameof(TightCollection))]
public sealed class TightCollection : ICollectionFixture<TightCluster>;
