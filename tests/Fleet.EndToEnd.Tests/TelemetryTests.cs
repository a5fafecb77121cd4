using System.Net;
using System.Text;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>With an OTLP endpoint configured, one call's trace reaches the collector from gateway, scheduler and worker.</summary>
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
        // Export every half second rather than every five.
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Otlp.Dispose();
    }
}

[CollectionDefinition(nameof(TelemetryCollection))]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryCluster>;
