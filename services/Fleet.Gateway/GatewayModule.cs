using Fleet.Gateway.Functions;
using Fleet.Gateway.Invocations;
using Fleet.Placement;
using Fleet.ServiceDefaults;
using MassTransit;

namespace Fleet.Gateway;

/// <summary>
/// The gateway's services, and its own queue for fleet-wide events: deletions that invalidate its caches, and worker
/// heartbeats for placing warm sync calls.
/// </summary>
internal sealed class GatewayModule(GatewayIdentity identity) : IBusModule
{
    public static GatewayModule Register(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(GatewayOptions.SectionName);
        builder.Services.AddOptions<GatewayOptions>().Bind(section)
            .Validate(o => o.MaxRequestBodyBytes > 0 && o.MaxInvokeBodyBytes > 0 && o.DefaultTimeoutSeconds > 0 && o.MaxTimeoutSeconds >= o.DefaultTimeoutSeconds,
                "Gateway options out of range")
            .ValidateOnStart();
        var maxBody = (section.Get<GatewayOptions>() ?? new GatewayOptions()).MaxRequestBodyBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBody);

        var identity = new GatewayIdentity();
        builder.Services.AddSingleton(identity);
        builder.Services.TryAddSingletonTimeProvider();
        builder.Services.AddWorkerLedger();
        builder.Services.AddSingleton<RequestIds>();
        builder.Services.AddSingleton<FunctionCatalog>();
        builder.Services.AddSingleton<Invoker>();
        builder.Services.AddSingleton<FleetControl>();
        builder.Services.AddHostedService<QueuedCallRecovery>();
        return new GatewayModule(identity);
    }

    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<FunctionDeletedConsumer>();
        bus.AddConsumer<WorkerHeartbeatConsumer>();
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus) =>
        bus.ReceiveEndpoint(identity.Queue, endpoint =>
        {
            EndpointConventions.InstanceQueue(endpoint);
            endpoint.ConfigureConsumer<FunctionDeletedConsumer>(context);
            endpoint.ConfigureConsumer<WorkerHeartbeatConsumer>(context);
        });
}
