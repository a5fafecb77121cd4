using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Serverledge's custom runtime: a function that is a container image (the tests' own, with an executor speaking the
/// upstream protocol), run on the worker with a Docker engine, warm between calls, without any network, stopped by
/// its timeout, removed with the function.
/// </summary>
[Collection(nameof(CustomImageCollection))]
public sealed class CustomRuntimeTests(CustomImageCluster fleet)
{
    private static readonly TimeSpan Removal = TimeSpan.FromSeconds(20);
    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Fact]
    public async Task Custom_image_runs_warm_in_a_limited_container_and_goes_with_its_function()
    {
        var name = ServerledgeApi.UniqueName("custom");
        await CreateOkAsync(name, fleet.Image.Tag);

        var cold = await _api.InvokeOkAsync(name, new { Params = new { op = "sum", a = 2, b = 40 } });
        Assert.True(cold.GetProperty("Success").GetBoolean());
        Assert.False(cold.GetProperty("IsWarmStart").GetBoolean());
        Assert.Equal("", cold.GetProperty("Output").GetString());
        var result = ServerledgeApi.ResultOf(cold);
        Assert.Equal(42, result.GetProperty("sum").GetInt32());
        var host = result.GetProperty("host").GetString()!;

        var warm = await _api.InvokeOkAsync(name, new { Params = new { op = "sum", a = 1, b = 1 }, ReturnOutput = true });
        Assert.True(warm.GetProperty("IsWarmStart").GetBoolean());
        Assert.Equal(2, ServerledgeApi.ResultOf(warm).GetProperty("sum").GetInt32());
        Assert.Equal(host, ServerledgeApi.ResultOf(warm).GetProperty("host").GetString());
        Assert.Contains("custom function runs sum", warm.GetProperty("Output").GetString(), StringComparison.Ordinal);

        // The container (its hostname is its short id) is the worker's, with the function's limits and no network.
        var container = await ContainerAsync(host);
        Assert.NotNull(container);
        var limits = await DockerCli.RunAsync(
            "inspect", "-f", "{{.HostConfig.NetworkMode}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}", container);
        Assert.Equal($"none {128L << 20} 500000000 64", limits.Trim());

        using (var deleted = await fleet.Gateway.PostAsJsonAsync("/delete", new { Name = name }))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        await WaitUntilGoneAsync(host);
        using var after = await _api.InvokeAsync(name, new { Params = new { op = "sum", a = 1, b = 1 } });
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task Custom_function_has_no_network_to_reach_the_fleets_broker_or_the_host()
    {
        var name = ServerledgeApi.UniqueName("custom");
        await CreateOkAsync(name, fleet.Image.Tag);
        var broker = (await TestServers.RabbitMqAsync()).Amqp;
        string[] hosts = ["127.0.0.1", "172.17.0.1", .. await HostAddressesAsync(broker.Host)];

        var report = await _api.InvokeOkAsync(name, new { Params = new { op = "net", hosts, port = broker.Port } });

        var result = ServerledgeApi.ResultOf(report);
        Assert.Equal(["lo"], result.GetProperty("interfaces").EnumerateArray().Select(e => e.GetString()));
        foreach (var probe in result.GetProperty("probes").EnumerateObject())
        {
            Assert.NotEqual("connected", probe.Value.GetString());
        }

        // The same port is open from the host: the probes failed for want of a network, not of a broker.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(broker.Host, broker.Port, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Over_long_custom_call_is_stopped_by_its_timeout_and_its_container_removed()
    {
        var name = ServerledgeApi.UniqueName("custom");
        await CreateOkAsync(name, fleet.Image.Tag, timeout: 2);
        var host = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(name, new { Params = new { op = "sum", a = 1, b = 2 } }))
            .GetProperty("host").GetString()!;

        var clock = Stopwatch.StartNew();
        using (var slow = await _api.InvokeAsync(name, new { Params = new { op = "sleep", seconds = 60 } }))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, slow.StatusCode);
            Assert.Contains("timed out", await slow.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the call took {clock.Elapsed}");
        await WaitUntilGoneAsync(host);

        var next = await _api.InvokeOkAsync(name, new { Params = new { op = "sum", a = 3, b = 4 } });
        Assert.False(next.GetProperty("IsWarmStart").GetBoolean());
        Assert.Equal(7, ServerledgeApi.ResultOf(next).GetProperty("sum").GetInt32());
        Assert.NotEqual(host, ServerledgeApi.ResultOf(next).GetProperty("host").GetString());
    }

    [Fact]
    public async Task Custom_command_exiting_non_zero_fails_and_the_container_stays_warm()
    {
        var name = ServerledgeApi.UniqueName("custom");
        await CreateOkAsync(name, fleet.Image.Tag);

        using (var failed = await _api.InvokeAsync(name, new { Params = new { op = "fail" } }))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        var next = await _api.InvokeOkAsync(name, new { Params = new { op = "sum", a = 1, b = 1 } });
        Assert.True(next.GetProperty("IsWarmStart").GetBoolean());
    }

    [Fact]
    public async Task Custom_image_missing_on_the_worker_fails_the_call_clearly()
    {
        var name = ServerledgeApi.UniqueName("custom");
        await CreateOkAsync(name, $"fleet-test-custom-missing-{Guid.NewGuid():N}");

        using var response = await _api.InvokeAsync(name, new { Params = new { op = "sum", a = 1, b = 1 } });

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("is not on this worker", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Custom_function_without_an_image_is_refused()
    {
        using var response = await _api.CreateCustomAsync(ServerledgeApi.UniqueName("custom"), image: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task CreateOkAsync(string name, string image, int? timeout = null)
    {
        using var created = await _api.CreateCustomAsync(name, image, timeout: timeout);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(name, (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("Created").GetString());
    }

    /// <summary>The engine worker's container whose id starts with <paramref name="host"/> (its hostname), or null.</summary>
    private async Task<string?> ContainerAsync(string host) =>
        (await DockerCli.ContainersAsync($"fleet.worker={fleet.EngineWorkerId}")).FirstOrDefault(id => id.StartsWith(host, StringComparison.Ordinal));

    private async Task WaitUntilGoneAsync(string host)
    {
        var deadline = DateTime.UtcNow + Removal;
        while (await ContainerAsync(host) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"container {host} still there after {Removal}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<IEnumerable<string>> HostAddressesAsync(string host)
    {
        var addresses = await Dns.GetHostAddressesAsync(Dns.GetHostName(), TestContext.Current.CancellationToken);
        return addresses.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Select(a => a.ToString())
            .Append(host).Distinct();
    }
}

[CollectionDefinition(nameof(CustomImageCollection))]
public sealed class CustomImageCollection : ICollectionFixture<CustomImageCluster>;
