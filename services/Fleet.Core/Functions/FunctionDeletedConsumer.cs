using Fleet.Contracts;
using MassTransit;

namespace Fleet.Core.Functions;

/// <summary>Another gateway deleted a function: stop serving its cached definition.</summary>
internal sealed class FunctionDeletedConsumer(FunctionRegistry registry) : IConsumer<FunctionDeleted>
{
    public Task Consume(ConsumeContext<FunctionDeleted> context)
    {
        registry.Forget(new FunctionRef(context.Message.Namespace, context.Message.Name));
        return Task.CompletedTask;
    }
}
