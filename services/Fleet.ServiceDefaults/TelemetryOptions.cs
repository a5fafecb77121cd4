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
}
