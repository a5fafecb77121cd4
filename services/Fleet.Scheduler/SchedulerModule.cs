using Fleet.Placement;
using Fleet.Scheduler.Consumers;
using Fleet.Scheduler.Jobs;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Calls;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Scheduler;

/// <summary>The scheduler's services and endpoints: a shared command queue all instances compete on, and an own queue per instance.</summary>
internal sealed class SchedulerModule(SchedulerIdentity identity) : IBusModule
{
    public static SchedulerModule Register(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.SectionName);
        var identity = new SchedulerIdentity(Microsoft.Extensions.Options.Options.Create(
            builder.Configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>() ?? new SchedulerOptions()));
        builder.Services.AddSingleton(identity);
        builder.Services.AddWorkerLedger();
        builder.Services.AddFleetMetrics();
        builder.Services.TryAddSingleton<CallResultWriter>();
        builder.Services.AddHostedService<StorePurger>();
        builder.Services.AddOptions<JobEngineOptions>().BindConfiguration(JobEngineOptions.SectionName)
            .Validate(o => o.SweepSeconds > 0 && o.MaxSlicesPerCall > 0 && o.FirstSlicesPerCall > 0 && o.TargetCallSeconds > 0
                    && o.MaxCallDataBytes > 0 && o.LeaseGraceSeconds >= 0,
                "Scheduler:Jobs options out of range")
            .ValidateOnStart();
        builder.Services.AddSingleton<JobEngine>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobEngine>());
        return new SchedulerModule(identity);
    }

    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<InvokeFunctionConsumer>();
        bus.AddConsumer<InvokeFunctionsConsumer>();
        bus.AddConsumer<PrewarmFunctionConsumer>();
        bus.AddConsumer<GetFleetStatusConsumer>();
        bus.AddConsumer<WorkerHeartbeatConsumer>();
        bus.AddConsumer<SlotsReleasedConsumer>();
        bus.AddConsumer<JobSlicesAddedConsumer>();
        bus.AddConsumer<SlicesReturnedConsumer>();
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus)
    {
        bus.ReceiveEndpoint(QueueNames.Scheduler, endpoint =>
        {
            endpoint.PrefetchCount = 512;
            endpoint.ConfigureConsumer<InvokeFunctionConsumer>(context);
            endpoint.ConfigureConsumer<InvokeFunctionsConsumer>(context);
            endpoint.ConfigureConsumer<PrewarmFunctionConsumer>(context);
            endpoint.ConfigureConsumer<GetFleetStatusConsumer>(context);
            endpoint.ConfigureConsumer<JobSlicesAddedConsumer>(context);
        });
        bus.ReceiveEndpoint(identity.Queue, endpoint =>
        {
            EndpointConventions.InstanceQueue(endpoint);
            endpoint.ConfigureConsumer<WorkerHeartbeatConsumer>(context);
            endpoint.ConfigureConsumer<SlotsReleasedConsumer>(context);
            endpoint.ConfigureConsumer<SlicesReturnedConsumer>(context);
        });
    }
}
