using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Calls;
using Fleet.Storage.Jobs;
using Fleet.Worker.HostCalls;
using Fleet.Worker.Messaging;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.Protocol;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Worker;

/// <summary>
/// The worker's services and endpoints: its own queue (work placed on it, handed back to the shared queue when it
/// waits too long), the shared work queue, and a control queue for fleet-wide events.
/// </summary>
internal sealed class WorkerModule(WorkerIdentity identity, WorkerOptions options) : IBusModule
{
    /// <summary>Work left on a worker's own queue this long moves to the shared queue (the worker is busy, stopped or dead).</summary>
    private static readonly TimeSpan HandBackAfter = TimeSpan.FromSeconds(10);

    public static WorkerModule Register(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(WorkerOptions.SectionName);
        builder.Services.AddOptions<WorkerOptions>().Bind(section)
            .Validate(o => o.Slots > 0 && o.MemoryBudgetMB > 0 && o.KeepAliveSeconds > 0 && o.MaxInstancesPerFunction > 0
                    && o.MaxResultBytes is > 0 and <= FrameChannel.MaxResultBytes,
                "Worker options out of range")
            .ValidateOnStart();
        var options = section.Get<WorkerOptions>() ?? new WorkerOptions();
        var identity = new WorkerIdentity(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.AddSingleton(identity);
        builder.Services.TryAddSingletonTimeProvider();
        builder.Services.AddFleetMetrics();
        builder.Services.AddSingleton<IBlobSource, StoreBlobSource>();
        builder.Services.AddSingleton<Runtimes.Containers.ContainerEngine>();
        builder.Services.AddSingleton<InstancePool>();
        builder.Services.AddSingleton<ExecutionSlots>();
        builder.Services.AddSingleton<HeldCalls>();
        builder.Services.AddSingleton<RetiredFunctions>();
        builder.Services.AddSingleton<SlotReleaser>();
        builder.Services.AddSingleton<InvocationRunner>();
        builder.Services.AddSingleton<CallHostCalls>();
        builder.Services.TryAddSingleton<CallResultWriter>();
        builder.Services.TryAddSingleton<SliceOutcomeWriter>();
        builder.Services.AddSingleton<SliceResults>();
        builder.Services.AddSingleton<JobCancellations>();
        builder.Services.TryAddSingleton<RunningCallMarker>();
        builder.Services.AddSingleton<Heartbeat>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Heartbeat>());
        return new WorkerModule(identity, options);
    }

    public void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<RunInvocationConsumer>();
        bus.AddConsumer<RunInvocationsConsumer>();
        bus.AddConsumer<PrewarmInstancesConsumer>();
        bus.AddConsumer<FunctionDeletedConsumer>();
        bus.AddConsumer<FunctionRegisteredConsumer>();
        bus.AddConsumer<JobCancelledConsumer>();
    }

    public void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus)
    {
        // Work waiting for a slot here is acknowledged only when done, so a dead worker's share is redelivered.
        bus.ReceiveEndpoint(identity.Queue, endpoint =>
        {
            EndpointConventions.WorkerQueue(endpoint, HandBackAfter);
            endpoint.PrefetchCount = options.Slots * 2;
            endpoint.ConcurrentMessageLimit = options.Slots * 2;
            endpoint.ConfigureConsumer<RunInvocationConsumer>(context);
            endpoint.ConfigureConsumer<RunInvocationsConsumer>(context);
            endpoint.ConfigureConsumer<PrewarmInstancesConsumer>(context);
        });
        bus.ReceiveEndpoint(QueueNames.SharedWork, endpoint =>
        {
            EndpointConventions.WorkQueue(endpoint);
            // A call waiting for a chained call it made holds its message but not its slot: room for one chain of
            // waiting parents, so a child taken from this queue is never stuck behind its own parents.
            endpoint.PrefetchCount = options.Slots + ChainedCallHostCalls.MaxDepth;
            endpoint.ConcurrentMessageLimit = options.Slots + ChainedCallHostCalls.MaxDepth;
            endpoint.ConfigureConsumer<RunInvocationConsumer>(context);
            endpoint.ConfigureConsumer<RunInvocationsConsumer>(context);
            endpoint.ConfigureConsumer<PrewarmInstancesConsumer>(context);
        });
        bus.ReceiveEndpoint(QueueNames.WorkerControl(identity.Id), endpoint =>
        {
            EndpointConventions.InstanceQueue(endpoint);
            endpoint.ConfigureConsumer<FunctionDeletedConsumer>(context);
            endpoint.ConfigureConsumer<FunctionRegisteredConsumer>(context);
            endpoint.ConfigureConsumer<JobCancelledConsumer>(context);
        });
    }
}
