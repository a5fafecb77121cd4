using System.Net;
using System.Net.Http.Json;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>The README's run command: everything in one process; here with an access token and a body limit configured.</summary>
public sealed class StandaloneTests(StandaloneFleet fleet) : IClassFixture<StandaloneFleet>
{
    [Fact]
    public async Task Serves_the_seed_example_in_one_process()
    {
        var api = new ServerledgeApi(fleet.Authorized);
        var name = ServerledgeApi.UniqueName("isprime");
        await api.CreateOkAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime);

        Assert.True(ServerledgeApi.ResultOf(await api.InvokeOkAsync(name, new { Params = new { n = "17" } })).GetProperty("IsPrime").GetBoolean());
        var polled = await api.PollUntilDoneAsync(await api.InvokeAsyncCallAsync(name, new() { ["n"] = "15" }), TimeSpan.FromSeconds(30));
        Assert.False(ServerledgeApi.ResultOf(polled).GetProperty("IsPrime").GetBoolean());
    }

    [Fact]
    public async Task Every_route_but_health_needs_the_access_token()
    {
        using var anonymous = await fleet.Anonymous.GetAsync("/function");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/status");
        wrong.Headers.Authorization = new("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await fleet.Anonymous.SendAsync(wrong)).StatusCode);

        using var live = await fleet.Anonymous.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var authorized = await fleet.Authorized.GetAsync("/function");
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }

    [Fact]
    public async Task Bodies_over_the_limit_get_413()
    {
        var huge = new string('a', StandaloneFleet.MaxBodyBytes + 1);
        using var response = await fleet.Authorized.PostAsJsonAsync("/create", new { Name = "big", TarFunctionCode = huge });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
