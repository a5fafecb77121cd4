using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Fleet.ServiceDefaults.Tests;

/// <summary>Telemetry is exported only when an endpoint is set, over the protocol asked for, to each signal's path.</summary>
public sealed class TelemetrySetupTests
{
    [Fact]
    public async Task Without_an_endpoint_no_provider_is_made_and_Fleets_metrics_still_resolve()
    {
        await using var app = Build([]);

        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<MeterProvider>());
        Assert.NotNull(app.Services.GetService<FleetMetrics>());
    }

    [Fact]
    public async Task With_an_endpoint_the_host_holds_a_tracer_and_a_meter_provider()
    {
        await using var app = Build(["--Telemetry:OtlpEndpoint=http://127.0.0.1:4318", "--Telemetry:OtlpProtocol=http/protobuf"]);

        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void An_unknown_protocol_stops_the_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(["--Telemetry:OtlpEndpoint=http://127.0.0.1:4318", "--Telemetry:OtlpProtocol=http/json"]));

        Assert.Contains("http/json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_standard_variables_stand_in_for_unset_settings()
    {
        var options = TelemetryOptions.From(Configuration(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }));
        var ours = TelemetryOptions.From(Configuration(new()
        {
            ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4317",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318",
        }));

        Assert.Equal(("http://collector:4318", OtlpExportProtocol.HttpProtobuf), (options.OtlpEndpoint, options.Protocol));
        Assert.Equal(("http://127.0.0.1:4317", OtlpExportProtocol.Grpc), (ours.OtlpEndpoint, ours.Protocol));
        Assert.False(TelemetryOptions.From(Configuration([])).Enabled);
    }

    [Theory]
    [InlineData("grpc", "http://collector:4317", "http://collector:4317/")]
    [InlineData("http/protobuf", "http://collector:4318", "http://collector:4318/v1/metrics")]
    [InlineData("http/protobuf", "http://collector:4318/otlp/", "http://collector:4318/otlp/v1/metrics")]
    public void Over_http_each_signal_posts_to_its_own_path(string protocol, string endpoint, string metrics)
    {
        var options = new TelemetryOptions { OtlpEndpoint = endpoint, OtlpProtocol = protocol };
        var otlp = new OtlpExporterOptions();

        options.ConfigureExporter(otlp, "/v1/metrics");

        Assert.Equal((options.Protocol, metrics), (otlp.Protocol, otlp.Endpoint.ToString()));
    }

    private static WebApplication Build(string[] args)
    {
        // Blank, so that the standard variable in the environment of the test run does not count.
        var builder = WebApplication.CreateBuilder(["--OTEL_EXPORTER_OTLP_ENDPOINT=", .. args]);
        builder.AddServiceDefaults("fleet-test");
        return builder.Build();
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
