using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Fleet.ServiceDefaults;

public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>OTLP endpoint (e.g. http://127.0.0.1:4317); traces and metrics are exported only when set.
    /// The standard OTEL_EXPORTER_OTLP_ENDPOINT variable is honoured too.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary><c>grpc</c> (port 4317 by convention) or <c>http/protobuf</c> (4318, posting to /v1/traces and /v1/metrics).
    /// The standard OTEL_EXPORTER_OTLP_PROTOCOL variable is honoured too.</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    internal bool Enabled => OtlpEndpoint.Length > 0;

    internal OtlpExportProtocol Protocol => OtlpProtocol.ToUpperInvariant() switch
    {
        "GRPC" => OtlpExportProtocol.Grpc,
        "HTTP/PROTOBUF" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException($"{SectionName}:OtlpProtocol is '{OtlpProtocol}'; grpc or http/protobuf are understood"),
    };

    /// <summary>The section's settings, each falling back on its standard OTEL_ variable.</summary>
    internal static TelemetryOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        return new TelemetryOptions
        {
            OtlpEndpoint = FirstSet(section[nameof(OtlpEndpoint)], configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ?? "",
            OtlpProtocol = FirstSet(section[nameof(OtlpProtocol)], configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) ?? "grpc",
        };
    }

    internal void ConfigureExporter(OtlpExporterOptions otlp, string signalPath)
    {
        otlp.Protocol = Protocol;
        otlp.Endpoint = SignalEndpoint(signalPath);
    }

    /// <summary>
    /// Where one signal goes. Over gRPC every signal goes to the endpoint itself; over HTTP an endpoint set in code is
    /// taken as the signal's full URL, so the standard path (<c>/v1/traces</c>, <c>/v1/metrics</c>) is added here.
    /// </summary>
    internal Uri SignalEndpoint(string signalPath)
    {
        var endpoint = new Uri(OtlpEndpoint);
        return Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + signalPath) : endpoint;
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(value => !string.IsNullOrEmpty(value));
}
