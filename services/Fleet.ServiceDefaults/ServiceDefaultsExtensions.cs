using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Fleet.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>MassTransit's activity source and meter.</summary>
    private const string MassTransitName = "MassTransit";

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
        builder.Services.AddFleetMetrics();
        var telemetry = TelemetryOptions.From(builder.Configuration);
        if (telemetry.Enabled)
        {
            // An unknown protocol stops the start here rather than exporting nowhere.
            _ = telemetry.Protocol;
            AddOpenTelemetry(builder.Services, serviceName, telemetry);
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

    /// <summary>
    /// Traces of ASP.NET Core and MassTransit (which carries a call's trace context from service to service), and the
    /// metrics of Fleet, MassTransit and ASP.NET Core, over OTLP. The host starts the providers and flushes them on
    /// shutdown. Logs stay on standard output.
    /// </summary>
    private static void AddOpenTelemetry(IServiceCollection services, string serviceName, TelemetryOptions telemetry)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddSource(MassTransitName)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddOtlpExporter(otlp => telemetry.ConfigureExporter(otlp, "/v1/traces")))
            .WithMetrics(metrics => metrics
                .AddMeter(FleetMetrics.MeterName, MassTransitName)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(otlp => telemetry.ConfigureExporter(otlp, "/v1/metrics")));
    }
}
