using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>The Serverledge API through the distributed fleet (gateway, scheduler, two workers over RabbitMQ and PostgreSQL).</summary>
[Collection(nameof(FleetCollection))]
public sealed class ServerledgeTests(FleetCluster fleet)
{
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(60);
    private readonly ServerledgeApi _api = new(fleet.Gateway);
    private readonly HttpClient _http = fleet.Gateway;

    [Fact]
    public async Task Seed_isprime_create_invoke_sync_then_async_and_poll()
    {
        var name = ServerledgeApi.UniqueName("isprime");
        using (var created = await _api.CreateAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            Assert.Equal("application/json", created.Content.Headers.ContentType!.MediaType);
            Assert.Equal(name, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Created").GetString());
        }

        var cold = await _api.InvokeOkAsync(name, new { Params = new { n = "17" } });
        string[] keys = ["Success", "Result", "ResponseTime", "IsWarmStart", "InitTime", "OffloadLatency", "Duration", "SchedAction", "Output"];
        Assert.Equal(keys, cold.EnumerateObject().Select(p => p.Name));
        Assert.True(cold.GetProperty("Success").GetBoolean());
        Assert.True(ServerledgeApi.ResultOf(cold).GetProperty("IsPrime").GetBoolean());
        Assert.Equal("", cold.GetProperty("Output").GetString());
        Assert.False(cold.GetProperty("IsWarmStart").GetBoolean());

        var warm = await _api.InvokeOkAsync(name, new { Params = new { n = "16" } });
        Assert.False(ServerledgeApi.ResultOf(warm).GetProperty("IsPrime").GetBoolean());
        Assert.True(warm.GetProperty("IsWarmStart").GetBoolean());
        foreach (var report in new[] { cold, warm })
        {
            Assert.True(report.GetProperty("InitTime").GetDouble() + report.GetProperty("Duration").GetDouble()
                <= report.GetProperty("ResponseTime").GetDouble() + 0.002);
        }

        var id = await _api.InvokeAsyncCallAsync(name, new() { ["n"] = "97" });
        Assert.Matches(new Regex($"^{Regex.Escape(name)}-\\d+$"), id);
        var polled = await _api.PollUntilDoneAsync(id, PollLimit);
        Assert.True(polled.GetProperty("Success").GetBoolean());
        Assert.True(ServerledgeApi.ResultOf(polled).GetProperty("IsPrime").GetBoolean());
        var again = await _http.GetStringAsync($"/poll/{id}");
        Assert.Equal(polled.GetRawText(), JsonDocument.Parse(again).RootElement.GetRawText());
    }

    [Fact]
    public async Task Node_function_is_awaited_and_its_console_is_captured()
    {
        var name = ServerledgeApi.UniqueName("hello");
        await _api.CreateOkAsync(name, "nodejs17ng", "hello.js", SampleFunctions.Node);

        var report = await _api.InvokeOkAsync(name, new { Params = new { name = "fleet" }, ReturnOutput = true });

        Assert.Equal("fleet", ServerledgeApi.ResultOf(report).GetProperty("Hello").GetString());
        Assert.Equal(JsonValueKind.Object, ServerledgeApi.ResultOf(report).GetProperty("Ctx").ValueKind);
        Assert.Contains("node says hi", report.GetProperty("Output").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Python_results_output_and_params_follow_the_runtime_contract()
    {
        var name = ServerledgeApi.UniqueName("py");
        await _api.CreateOkAsync(name, "python310", "fn.echo", SampleFunctions.Python);

        using (var noBody = await _http.PostAsync($"/invoke/{name}", null))
        {
            var report = await noBody.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("{}", ServerledgeApi.ResultOf(report).GetProperty("params").GetRawText());
        }

        var withOutput = await _api.InvokeOkAsync(name, new { Params = new { a = "1" }, ReturnOutput = true });
        Assert.StartsWith("hello from stdout\n", withOutput.GetProperty("Output").GetString(), StringComparison.Ordinal);

        // Lower-case keys, as Go's decoder accepts them.
        using var lower = await _http.PostAsync($"/invoke/{name}", Json("""{"params":{"x":"y"},"returnoutput":false}"""));
        var lowerReport = await lower.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("y", ServerledgeApi.ResultOf(lowerReport).GetProperty("params").GetProperty("x").GetString());

        var text = ServerledgeApi.UniqueName("text");
        await _api.CreateOkAsync(text, "python", "fn.text", SampleFunctions.Python);
        Assert.Equal("\"hi\"", (await _api.InvokeOkAsync(text, new { })).GetProperty("Result").GetString());
        var none = ServerledgeApi.UniqueName("none");
        await _api.CreateOkAsync(none, "python3", "fn.nothing", SampleFunctions.Python);
        Assert.Equal("null", (await _api.InvokeOkAsync(none, new { })).GetProperty("Result").GetString());
    }

    [Fact]
    public async Task Registry_errors_answer_with_upstream_statuses_and_bodies()
    {
        var name = ServerledgeApi.UniqueName("dup");
        await _api.CreateOkAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime);

        using var duplicate = await _api.CreateAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("", await duplicate.Content.ReadAsStringAsync());

        using var runtime = await _api.CreateAsync(ServerledgeApi.UniqueName("rt"), "foo", "x.y", SampleFunctions.IsPrime);
        Assert.Equal(HttpStatusCode.NotFound, runtime.StatusCode);
        Assert.Equal("Invalid runtime.", await runtime.Content.ReadAsStringAsync());

        using var memory = await _api.CreateAsync(ServerledgeApi.UniqueName("mem"), "python310", "isprime.handler", SampleFunctions.IsPrime, memoryMB: 0);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, memory.StatusCode);

        using var unknown = await _api.InvokeAsync(ServerledgeApi.UniqueName("nope"), new { });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("Function unknown", await unknown.Content.ReadAsStringAsync());

        using var unknownPoll = await _http.GetAsync("/poll/nope-123");
        Assert.Equal(HttpStatusCode.NotFound, unknownPoll.StatusCode);
        Assert.Equal("", await unknownPoll.Content.ReadAsStringAsync());

        var list = await _http.GetFromJsonAsync<string[]>("/function");
        Assert.Contains(name, list!);
        Assert.Equal(list!.Order(StringComparer.Ordinal), list);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_and_the_gateway_keeps_serving()
    {
        using var create = await _http.PostAsync("/create", Json("{\"Name\": "));
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.StartsWith("Bad Request", (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);

        using var invoke = await _http.PostAsync("/invoke/x", Json("{\"Params\": 3}"));
        Assert.Equal(HttpStatusCode.BadRequest, invoke.StatusCode);
        using var types = await _http.PostAsync("/create", Json("{\"Name\": \"a\", \"MemoryMB\": \"lots\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, types.StatusCode);

        using var list = await _http.GetAsync("/function");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task Unsafe_packages_are_refused_and_gzip_is_accepted()
    {
        using var dotdot = await _api.CreateAsync(ServerledgeApi.UniqueName("evil"), "python310", "x.handler", new Dictionary<string, string> { ["../x.py"] = "" });
        Assert.Equal(HttpStatusCode.BadRequest, dotdot.StatusCode);
        using var absolute = await _api.CreateAsync(ServerledgeApi.UniqueName("evil"), "python310", "x.handler", new Dictionary<string, string> { ["/etc/x.py"] = "" });
        Assert.Equal(HttpStatusCode.BadRequest, absolute.StatusCode);

        var name = ServerledgeApi.UniqueName("gz");
        using var gzip = await _api.CreateRawAsync(name, "python310", "isprime.handler", Tar.Gzip(Tar.Of(SampleFunctions.IsPrime)));
        Assert.Equal(HttpStatusCode.OK, gzip.StatusCode);
        Assert.True(ServerledgeApi.ResultOf(await _api.InvokeOkAsync(name, new { Params = new { n = "13" } })).GetProperty("IsPrime").GetBoolean());
    }

    [Fact]
    public async Task A_raising_function_fails_sync_with_500_and_async_with_Success_false()
    {
        var name = ServerledgeApi.UniqueName("fail");
        await _api.CreateOkAsync(name, "python310", "fn.fail", SampleFunctions.Python);

        using var sync = await _api.InvokeAsync(name, new { });
        Assert.Equal(HttpStatusCode.InternalServerError, sync.StatusCode);
        Assert.Equal("ValueError: boom", await sync.Content.ReadAsStringAsync());

        var polled = await _api.PollUntilDoneAsync(await _api.InvokeAsyncCallAsync(name, []), PollLimit);
        Assert.False(polled.GetProperty("Success").GetBoolean());
        Assert.Contains("boom", polled.GetProperty("Output").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endless_function_is_stopped_at_its_timeout_while_the_fleet_keeps_serving()
    {
        var endless = ServerledgeApi.UniqueName("forever");
        await _api.CreateOkAsync(endless, "python310", "fn.forever", SampleFunctions.Python, timeout: 1);
        var quick = ServerledgeApi.UniqueName("double");
        await _api.CreateOkAsync(quick, "python310", "fn.double", SampleFunctions.Python);

        var stuck = _api.InvokeAsync(endless, new { });
        var served = await _api.InvokeOkAsync(quick, new { Params = new { n = "21" } });
        Assert.Equal("42", served.GetProperty("Result").GetString());

        using var stopped = await stuck;
        Assert.Equal(HttpStatusCode.InternalServerError, stopped.StatusCode);
        var polled = await _api.PollUntilDoneAsync(await _api.InvokeAsyncCallAsync(endless, []), PollLimit);
        Assert.False(polled.GetProperty("Success").GetBoolean());
        Assert.Contains("timed out", polled.GetProperty("Output").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Functions_reach_neither_the_network_nor_the_hosts_files_nor_its_secrets()
    {
        var name = ServerledgeApi.UniqueName("net");
        await _api.CreateOkAsync(name, "python310", "fn.network", SampleFunctions.Python);
        var report = await _api.InvokeOkAsync(name, new { Params = new { port = fleet.GatewayUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        Assert.StartsWith("blocked", ServerledgeApi.ResultOf(report).GetString(), StringComparison.Ordinal);

        var secrets = ServerledgeApi.UniqueName("secrets");
        await _api.CreateOkAsync(secrets, "python310", "fn.secrets", SampleFunctions.Python);
        var seen = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(secrets, new { }));
        Assert.DoesNotContain(seen.GetProperty("env").EnumerateArray(), v => v.GetString()!.StartsWith("Store", StringComparison.Ordinal) || v.GetString()!.StartsWith("Bus", StringComparison.Ordinal));
        Assert.False(seen.GetProperty("work").GetBoolean());
        Assert.False(seen.GetProperty("root").GetBoolean());
    }

    [Fact]
    public async Task Prewarmed_instances_serve_the_next_call_warm()
    {
        var name = ServerledgeApi.UniqueName("warm");
        await _api.CreateOkAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime);

        using (var zero = await _http.PostAsJsonAsync("/prewarm", new { Function = name, Instances = 0 }))
        {
            Assert.Equal(0, (await zero.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Prewarmed").GetInt32());
        }

        using (var two = await _http.PostAsJsonAsync("/prewarm", new { Function = name, Instances = 2 }))
        {
            Assert.Equal(HttpStatusCode.OK, two.StatusCode);
            Assert.Equal(2, (await two.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Prewarmed").GetInt32());
        }

        var report = await _api.InvokeOkAsync(name, new { Params = new { n = "5" } });
        Assert.True(report.GetProperty("IsWarmStart").GetBoolean());

        var status = await _http.GetFromJsonAsync<JsonElement>("/status");
        foreach (var key in new[] { "Url", "AvailableWarmContainers", "AvailableMemMB", "AvailableCPUs", "DropCount", "Coordinates" })
        {
            Assert.True(status.TryGetProperty(key, out _), key);
        }

        using var unknown = await _http.PostAsJsonAsync("/prewarm", new { Function = "nope", Instances = 1 });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Deleted_functions_are_gone_at_once_and_can_be_created_again()
    {
        var name = ServerledgeApi.UniqueName("del");
        await _api.CreateOkAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime);
        await _api.InvokeOkAsync(name, new { Params = new { n = "3" } });

        using (var deleted = await _http.PostAsJsonAsync("/delete", new { Name = name }))
        {
            Assert.Equal(name, (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Deleted").GetString());
        }

        using (var gone = await _api.InvokeAsync(name, new { }))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using (var again = await _http.PostAsJsonAsync("/delete", new { Name = name }))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal("Unknown function", await again.Content.ReadAsStringAsync());
        }

        await _api.CreateOkAsync(name, "python310", "fn.double", SampleFunctions.Python);
        Assert.Equal("8", (await _api.InvokeOkAsync(name, new { Params = new { n = "4" } })).GetProperty("Result").GetString());
    }

    [Fact]
    public async Task An_unreachable_deadline_is_refused_with_429()
    {
        var name = ServerledgeApi.UniqueName("qos");
        await _api.CreateOkAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime);

        using var refused = await _api.InvokeAsync(name, new { Params = new { n = "3" }, QoSClass = 1, QoSMaxRespT = 0.000001 });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
