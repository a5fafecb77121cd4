using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using MassTransit;

namespace Fleet.Worker.Messaging;

internal sealed class FunctionDeletedConsumer(InstancePool pool, RetiredFunctions retired, Heartbeat heartbeat) : IConsumer<FunctionDeleted>
{
    public Task Consume(ConsumeContext<FunctionDeleted> context)
    {
        retired.Add(context.Message.Generation);
        pool.Retire(FunctionKeys.Of(context.Message.Namespace, context.Message.Name), context.Message.Generation);
        heartbeat.Nudge();
        return Task.CompletedTask;
    }
}
