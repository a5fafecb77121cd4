using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Fleet.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>Structured logs, health checks, and OpenTelemetry traces and metrics over OTLP when an endpoint is configured.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(json =>
        {
            json.IncludeScopes = false;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Services.AddHealthChecks();
        AddShutdown(builder);
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);

        var telemetry = builder.Configuration.GetSection(TelemetryOptions.SectionName);
        var endpoint = FirstSet(telemetry["OtlpEndpoint"], builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (endpoint is not null)
        {
            var protocol = FirstSet(telemetry["OtlpProtocol"], builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) ?? "grpc";
            AddOpenTelemetry(builder.Services, serviceName, new Uri(endpoint), protocol);
        }

        return builder;
    }

    /// <summary>/health/live answers while the process runs; /health/ready also checks the bus and the store.</summary>
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }

    /// <summary>SIGTERM drains for Shutdown:DrainSeconds, the host then cancels and disposes, and a watchdog bounds the whole.</summary>
    private static void AddShutdown(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ShutdownOptions.SectionName);
        builder.Services.AddOptions<ShutdownOptions>().Bind(section)
            .Validate(o => o.DrainSeconds >= 0, "Shutdown:DrainSeconds must not be negative")
            .ValidateOnStart();
        var shutdown = section.Get<ShutdownOptions>() ?? new ShutdownOptions();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdown.HostLimit);
        builder.Services.TryAddSingletonTimeProvider();
        builder.Services.AddHostedService<ShutdownWatchdog>();
    }

    // The providers are singletons so the host disposes (and flushes) them on shutdown.
    private static void AddOpenTelemetry(IServiceCollection services, string serviceName, Uri endpoint, string protocol)
    {
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        var http = string.Equals(protocol, "http/protobuf", StringComparison.OrdinalIgnoreCase);

        // Over HTTP an endpoint set in code is taken as the signal's full URL, so the standard paths are added here.
        void Exporter(OpenTelemetry.Exporter.OtlpExporterOptions otlp, string signalPath)
        {
            otlp.Protocol = http ? OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf : OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;
            otlp.Endpoint = http ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + signalPath) : endpoint;
        }

        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(FleetTelemetry.Name, "MassTransit", "Microsoft.AspNetCore")
            .AddOtlpExporter(otlp => Exporter(otlp, "/v1/traces"))
            .Build());
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(FleetTelemetry.Name, "MassTransit", "Microsoft.AspNetCore.Hosting")
            .AddOtlpExporter(otlp => Exporter(otlp, "/v1/metrics"))
            .Build());
        services.AddHostedService<TelemetryStarter>();
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(value => !string.IsNullOrEmpty(value));
}
