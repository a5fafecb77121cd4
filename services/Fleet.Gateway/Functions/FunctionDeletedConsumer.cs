using Fleet.Contracts;
using MassTransit;

namespace Fleet.Gateway.Functions;

/// <summary>Another gateway deleted a function: stop serving its cached definition.</summary>
internal sealed class FunctionDeletedConsumer(FunctionCatalog catalog) : IConsumer<FunctionDeleted>
{
    public Task Consume(ConsumeContext<FunctionDeleted> context)
    {
        catalog.Forget(context.Message.Name);
        return Task.CompletedTask;
    }
}
