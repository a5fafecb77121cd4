using Fleet.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Facades.Tests;

/// <summary>
/// The rule of the gateway's listeners with two facades, as Faasm's and DCP's will make it: on the main port every
/// facade answers, on a facade's own port only that facade; no two listeners share a port.
/// </summary>
public sealed class FacadeListenersTests
{
    private const int Main = 18080;
    private const int OwnA = 18081;
    private const int OwnB = 18082;

    [Theory]
    [InlineData(Main, true)]
    [InlineData(OwnA, true)]
    [InlineData(OwnB, false)]
    public async Task A_facade_answers_on_the_main_port_and_its_own_but_not_on_another_facades(int port, bool answers)
    {
        var listeners = Configure(new Options { Urls = $"http://127.0.0.1:{OwnA}" }, new Options { Urls = $"http://127.0.0.1:{OwnB}" });
        var http = new DefaultHttpContext();
        http.Connection.LocalPort = port;

        var result = await listeners.Gate("A", new Options())(
            new DefaultEndpointFilterInvocationContext(http), _ => ValueTask.FromResult<object?>("answered"));

        Assert.Equal(answers, result is "answered");
        Assert.Equal(!answers, result is NotFound);
    }

    [Fact]
    public void Two_facades_on_one_port_or_a_facade_on_the_main_port_is_refused_at_start()
    {
        var shared = Assert.Throws<InvalidOperationException>(
            () => Configure(new Options { Urls = $"http://127.0.0.1:{OwnA}" }, new Options { Urls = $"http://127.0.0.1:{OwnA}" }));
        var onMain = Assert.Throws<InvalidOperationException>(
            () => Configure(new Options { Urls = $"http://127.0.0.1:{Main}" }, new Options()));

        Assert.Equal($"Facades:B:Urls: port {OwnA} is taken by another listener", shared.Message);
        Assert.Equal($"Facades:A:Urls: port {Main} is taken by another listener", onMain.Message);
    }

    private static FacadeListeners Configure(Options a, Options b)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Urls"] = $"http://127.0.0.1:{Main}";
        return FacadeListeners.Configure(builder, new Dictionary<string, FacadeOptions> { ["A"] = a, ["B"] = b });
    }

    private sealed class Options : FacadeOptions;
}
