using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>A facade's own listener beside the main one, and a facade switched off, on the real standalone process.</summary>
public sealed class FacadeListenerTests
{
    [Fact]
    public async Task Serverledge_answers_on_the_main_port_and_on_its_own()
    {
        await using var fleet = new OwnPortStandalone();
        await fleet.InitializeAsync();
        using var own = new HttpClient { BaseAddress = fleet.OwnUrl };

        var main = await fleet.Anonymous.GetFromJsonAsync<JsonElement>("/status", TestContext.Current.CancellationToken);
        var mirrored = await own.GetFromJsonAsync<JsonElement>("/status", TestContext.Current.CancellationToken);

        Assert.Equal(fleet.Url.ToString().TrimEnd('/'), main.GetProperty("Url").GetString());
        Assert.Equal(fleet.OwnUrl.ToString().TrimEnd('/'), mirrored.GetProperty("Url").GetString());
        using var functions = await own.GetAsync("/function", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, functions.StatusCode);
    }

    [Fact]
    public async Task On_a_facades_own_port_another_facades_routes_are_not_found_and_on_the_main_port_both_answer()
    {
        await using var fleet = new OwnPortStandalone();
        await fleet.InitializeAsync();
        using var serverledge = new HttpClient { BaseAddress = fleet.OwnUrl };
        using var faasm = new HttpClient { BaseAddress = fleet.FaasmUrl };
        var ct = TestContext.Current.CancellationToken;

        var answers = new[]
        {
            (await fleet.Anonymous.GetAsync("/ping", ct)).StatusCode, (await fleet.Anonymous.GetAsync("/status", ct)).StatusCode,
            (await faasm.GetAsync("/ping", ct)).StatusCode, (await faasm.GetAsync("/status", ct)).StatusCode,
            (await serverledge.GetAsync("/ping", ct)).StatusCode, (await serverledge.GetAsync("/status", ct)).StatusCode,
            (await fleet.Anonymous.GetAsync("/x/y", ct)).StatusCode,
        };
        using var unknown = await faasm.GetAsync("/x/y", ct);

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.OK, HttpStatusCode.NotFound],
            answers);
        Assert.Equal((HttpStatusCode.BadRequest, "Unrecognised GET request to /x/y"), (unknown.StatusCode, await unknown.Content.ReadAsStringAsync(ct)));
    }

    [Fact]
    public async Task A_facade_switched_off_has_no_routes_and_no_listener_and_health_still_answers()
    {
        await using var fleet = new ServerledgeOffStandalone();
        await fleet.InitializeAsync();

        using var status = await fleet.Anonymous.GetAsync("/status", TestContext.Current.CancellationToken);
        using var ready = await fleet.Anonymous.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.OK), (status.StatusCode, ready.StatusCode));
        using var own = new HttpClient { BaseAddress = fleet.OwnUrl };
        await Assert.ThrowsAsync<HttpRequestException>(() => own.GetAsync("/status", TestContext.Current.CancellationToken));
    }

    private class OwnPortStandalone : StandaloneFleet
    {
        public Uri OwnUrl { get; } = new($"http://127.0.0.1:{FreePort()}");

        public Uri FaasmUrl { get; } = new($"http://127.0.0.1:{FreePort()}");

        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Facades__Serverledge__Urls"] = OwnUrl.ToString().TrimEnd('/'),
            ["Facades__Faasm__Urls"] = FaasmUrl.ToString().TrimEnd('/'),
        };
    }

    private sealed class ServerledgeOffStandalone : OwnPortStandalone
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
        {
            ["Facades__Serverledge__Enabled"] = "false",
        };
    }
}
