using System.Net;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>What the fleet can never run is refused at /create; what a function returns is JSON within the result limit.</summary>
[Collection(nameof(FleetCollection))]
public sealed class ServerledgeLimitsTests(FleetCluster fleet)
{
    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Theory]
    [InlineData(1_000_000_000, 0, "Invalid memory limit: 1000000000 MB is more than any worker has (")]
    [InlineData(0, 0, "Invalid memory limit")]
    [InlineData(128, 1_000_000, "Invalid CPU demand: 1000000 cores are more than any worker has (")]
    [InlineData(128, -2, "Invalid CPU demand: CPUDemand must be a number of cores, or 0 or -1 for no cap")]
    public async Task Create_refuses_a_size_no_worker_can_give_with_422_and_the_reason(int memoryMB, double cpuDemand, string reason)
    {
        using var created = await _api.CreateAsync(ServerledgeApi.UniqueName("size"), "python310", "fn.double", SampleFunctions.Python, memoryMB, cpuDemand: cpuDemand);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, created.StatusCode);
        Assert.StartsWith(reason, await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(0.25)]
    public async Task CPUDemand_0_and_minus_1_mean_no_cap_and_a_fraction_is_a_cap(double cpuDemand)
    {
        var name = ServerledgeApi.UniqueName("cpu");
        using (var created = await _api.CreateAsync(name, "python310", "fn.double", SampleFunctions.Python, cpuDemand: cpuDemand))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        Assert.Equal("42", (await _api.InvokeOkAsync(name, new { Params = new { n = "21" } })).GetProperty("Result").GetString());
    }

    [Fact]
    public async Task A_result_that_is_not_JSON_or_too_large_fails_sync_with_the_reason_and_async_with_Success_false()
    {
        var name = ServerledgeApi.UniqueName("results");
        await _api.CreateOkAsync(name, "python310", "fn.nan", SampleFunctions.Python);
        var big = ServerledgeApi.UniqueName("big");
        await _api.CreateOkAsync(big, "python310", "fn.big", SampleFunctions.Python);

        using var nan = await _api.InvokeAsync(name, new { });
        using var tooLarge = await _api.InvokeAsync(big, new { Params = new { chars = (7 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        var fits = await _api.InvokeOkAsync(big, new { Params = new { chars = "1000000" } });
        var polled = await _api.PollUntilDoneAsync(await _api.InvokeAsyncCallAsync(name, []), TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.InternalServerError, nan.StatusCode);
        Assert.Equal("result is not JSON: ValueError: Out of range float values are not JSON compliant", await nan.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, tooLarge.StatusCode);
        Assert.Equal($"result of {(7 << 20) + 2} bytes is larger than the limit of {6 << 20} bytes", await tooLarge.Content.ReadAsStringAsync());
        Assert.Equal(1_000_002, fits.GetProperty("Result").GetString()!.Length);
        Assert.False(polled.GetProperty("Success").GetBoolean());
        Assert.StartsWith("result is not JSON", polled.GetProperty("Output").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invoke_body_over_the_invoke_limit_gets_413()
    {
        var name = ServerledgeApi.UniqueName("params");
        await _api.CreateOkAsync(name, "python310", "fn.double", SampleFunctions.Python);

        using var response = await _api.InvokeAsync(name, new { Params = new { n = new string('1', (6 << 20) + 1) } });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
