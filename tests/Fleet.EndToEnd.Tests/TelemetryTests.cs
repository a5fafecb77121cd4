using System.Net;
using System.Text;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// With an OTLP endpoint configured, one call's trace reaches the collector from gateway, scheduler and worker, and
/// the worker's metrics count the calls it ran.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TelemetryTests(TelemetryCluster fleet)
{
    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Fact]
    public async Task A_calls_trace_is_exported_by_gateway_scheduler_and_worker_under_the_callers_trace_id()
    {
        var name = ServerledgeApi.UniqueName("traced");
        await _api.CreateOkAsync(name, "python310", "fn.double", SampleFunctions.Python);
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/invoke/{name}")
        {
            Content = new StringContent("""{"Params": {"n": "4"}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(BitConverter.GetBytes(42L))}-01");

        using var response = await fleet.Gateway.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var traceBytes = Convert.FromHexString(traceId);
        string[] services = ["fleet-gateway", "fleet-scheduler", "fleet-worker"];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string[] missing;
        while ((missing = [.. services.Where(service => !Exported(service, traceBytes))]).Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no span of trace {traceId} from {string.Join(", ", missing)} after 30 s");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Fleets_call_metrics_arrive_from_the_worker_by_function_and_outcome()
    {
        var name = ServerledgeApi.UniqueName("metered");
        var failing = ServerledgeApi.UniqueName("failing");
        await _api.CreateOkAsync(name, "python310", "fn.double", SampleFunctions.Python);
        await _api.CreateOkAsync(failing, "python310", "fn.fail", SampleFunctions.Python);

        await _api.InvokeOkAsync(name, new { Params = new { n = "2" } });
        await _api.InvokeOkAsync(name, new { Params = new { n = "3" } });
        using var failed = await _api.InvokeAsync(failing, new { Params = new { } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        (string What, Func<OtlpMetricPoint, bool> Seen)[] expected =
        [
            ("2 succeeded calls", p => Is(p, "fleet.calls", "{call}", name, "succeeded") && p.Value == 2),
            ("1 failed call", p => Is(p, "fleet.calls", "{call}", failing, "failed") && p.Value == 1),
            ("2 succeeded calls' durations", p => Is(p, "fleet.call.duration", "s", name, "succeeded") && p.Count == 2 && p.Value > 0),
            ("1 cold start (the second call was warm)", p => Is(p, "fleet.cold_starts", "{cold_start}", name) && p.Value == 1),
            ("1 cold start's duration", p => Is(p, "fleet.cold_start.duration", "s", name) && p.Count == 1 && p.Value > 0),
            ("2 queue waits", p => Is(p, "fleet.queue.wait", "s", name) && p.Count == 2),
        ];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string[] missing;
        while ((missing = [.. expected.Where(e => !fleet.Otlp.MetricPoints().Any(e.Seen)).Select(e => e.What)]).Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no metric from fleet-worker showing {string.Join(", ", missing)} after 30 s");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A point of Fleet's meter from the worker, for this instrument, unit, function (tagged by its key, namespace/name) and outcome (if given).</summary>
    private static bool Is(OtlpMetricPoint point, string metric, string unit, string function, string? outcome = null) =>
        (point.Service, point.Scope, point.Name, point.Unit) == ("fleet-worker", "Fleet", metric, unit)
        && point.Attributes.GetValueOrDefault("function") == $"serverledge/{function}"
        && (outcome is null ? !point.Attributes.ContainsKey("outcome") : point.Attributes.GetValueOrDefault("outcome") == outcome);

    /// <summary>A trace export of this service (its name is a resource attribute in the same body) holds the trace id.</summary>
    private bool Exported(string service, byte[] traceId)
    {
        var name = Encoding.UTF8.GetBytes(service);
        return fleet.Otlp.Bodies("/v1/traces").Any(body => Contains(body, name) && Contains(body, traceId));
    }

    private static bool Contains(byte[] body, byte[] part) => body.AsSpan().IndexOf(part) >= 0;
}

/// <summary>A fleet of one worker exporting traces and metrics over OTLP/HTTP to a receiver of the test's own.</summary>
public sealed class TelemetryCluster : FleetCluster
{
    internal OtlpReceiver Otlp { get; } = new();

    protected override int WorkerCount => 1;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Telemetry__OtlpEndpoint"] = Otlp.Endpoint.ToString(),
        ["Telemetry__OtlpProtocol"] = "http/protobuf",
        // Export spans every half second rather than every five, metrics rather than every minute.
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Otlp.Dispose();
    }
}

[CollectionDefinition(nameof(TelemetryCollection))]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryCluster>;
