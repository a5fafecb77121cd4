using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.ServiceDefaults;

public static class BusRegistration
{
    /// <summary>One MassTransit bus for the process, on RabbitMQ or in memory as configured, carrying the given modules.</summary>
    public static WebApplicationBuilder AddFleetBus(this WebApplicationBuilder builder, params IBusModule[] modules)
    {
        var options = builder.Configuration.GetSection(BusOptions.SectionName).Get<BusOptions>() ?? new BusOptions();
        builder.Services.AddMassTransit(bus =>
        {
            // A self-hosted fleet reports nowhere (MassTransit would send usage data to its vendor).
            bus.DisableUsageTelemetry();
            foreach (var module in modules)
            {
                module.AddConsumers(bus);
            }

            if (options.IsInMemory)
            {
                bus.UsingInMemory((context, cfg) => ConfigureEndpoints(context, cfg, modules));
            }
            else
            {
                bus.UsingRabbitMq((context, cfg) =>
                {
                    ConfigureHost(cfg, new Uri(options.Url));
                    ConfigureEndpoints(context, cfg, modules);
                });
            }
        });
        if (!options.IsInMemory)
        {
            builder.Services.AddHostedService<ReceiveEndpointWatchdog>();
        }

        var shutdown = builder.Configuration.GetSection(ShutdownOptions.SectionName).Get<ShutdownOptions>() ?? new ShutdownOptions();
        builder.Services.Configure<MassTransitHostOptions>(host =>
        {
            host.WaitUntilStarted = true;
            host.StopTimeout = shutdown.Drain;
        });
        return builder;
    }

    private static void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator cfg, IBusModule[] modules)
    {
        foreach (var module in modules)
        {
            module.ConfigureEndpoints(context, cfg);
        }
    }

    private static void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg, Uri url)
    {
        var userInfo = url.UserInfo.Split(':', 2);
        var virtualHost = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        var port = url.IsDefaultPort || url.Port <= 0 ? 5672 : url.Port;
        cfg.Host(url.Host, (ushort)port, string.IsNullOrEmpty(virtualHost) ? "/" : virtualHost, host =>
        {
            if (userInfo.Length == 2)
            {
                host.Username(Uri.UnescapeDataString(userInfo[0]));
                host.Password(Uri.UnescapeDataString(userInfo[1]));
            }

            host.PublisherConfirmation = true;
        });
    }
}
