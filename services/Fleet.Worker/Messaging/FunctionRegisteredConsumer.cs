using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using MassTransit;

namespace Fleet.Worker.Messaging;

/// <summary>A function was registered: its package is unpacked here ahead of its first call (in the background).</summary>
internal sealed class FunctionRegisteredConsumer(InstancePool pool) : IConsumer<FunctionRegistered>
{
    public Task Consume(ConsumeContext<FunctionRegistered> context)
    {
        pool.Prefetch(context.Message.PackageHash, context.Message.Generation, context.Message.PackageBytes);
        return Task.CompletedTask;
    }
}
