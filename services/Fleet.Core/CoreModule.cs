using Fleet.Core.Fleet;
using Fleet.Core.Functions;
using Fleet.Core.Invocations;
using Fleet.Placement;
using Fleet.ServiceDefaults;
using MassTransit;

namespace Fleet.Core;

/// <summary>
/// The engine every facade calls (functions, invocations, the fleet's capacity), and its own queue for fleet-wide
/// events: deletions that invalidate its caches, and worker heartbeats for placing warm sync calls.
/// </summary>
internal sealed class CoreModule(CoreIdentity identity) : IBusModule
{
    public static CoreModule Register(IServiceCollection services)
    {
        services.AddOptions<CoreOptions>().BindConfiguration(CoreOptions.SectionName)
            .Validate(o => o.DefaultTimeoutSeconds > 0 && o.MaxTimeoutSeconds >= o.DefaultTimeoutSeconds && o.QueueWaitSeconds >= 0 && o.FunctionCacheSeconds >= 0,
                "Core options out of range")
            .ValidateOnStart();
        var identity = new CoreIdentity();
        services.AddSingleton(identity);
        services.TryAddSingletonTimeProvider();
        services.AddWorkerLedger();
        services.AddSingleton<FunctionRegistry>();
        services.AddSingleton<Invoker>();
        services.AddSingleton<FleetControl>();
        services.AddSingleton<State.StateValues>();
        services.AddSingleton<Records.FacadeRecords>();
        services.AddSingleton<Access.SecretSealer>();
        services.AddSingleton<Access.ApiKeys>();
        services.AddSingleton<Uploads.ChunkedUploads>();
        services.AddOptions<Jobs.JobOptions>().BindConfiguration(Jobs.JobOptions.SectionName)
            .Validate(o => o.MaxAttempts > 0 && o.SliceTimeoutSeconds > 0 && o.RetentionDays > 0 && o.FunctionMemoryMB > 0, "Core:Jobs options out of range")
            .ValidateOnStart();
        services.AddSingleton<Jobs.JobService>();
        services.AddHostedService<QueuedCallRecovery>();
        return new CoreModule(identity);
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
