using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using MassTransit;

namespace Fleet.Worker.Messaging;

internal sealed class PrewarmInstancesConsumer(InstancePool pool, Heartbeat heartbeat) : IConsumer<PrewarmInstances>
{
    public async Task Consume(ConsumeContext<PrewarmInstances> context)
    {
        var request = context.Message;
        var started = await pool.PrewarmAsync(request.Function, request.Instances, request.RefreshPackage, context.CancellationToken);
        heartbeat.Nudge();
        await context.RespondAsync(new PrewarmResult { Prewarmed = started });
    }
}
