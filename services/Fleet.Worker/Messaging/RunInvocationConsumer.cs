using Fleet.Contracts;
using Fleet.ServiceDefaults;
using MassTransit;

namespace Fleet.Worker.Messaging;

/// <summary>One placed invocation: a sync outcome goes straight back to the gateway that asked, an async one to the store.</summary>
internal sealed class RunInvocationConsumer(InvocationRunner runner) : IConsumer<RunInvocation>
{
    public async Task Consume(ConsumeContext<RunInvocation> context)
    {
        var work = context.Message;
        var result = await runner.RunAsync(work.Invocation, work.LedgerAddress, work.PlacedOn, work.PlacedBy, context.CancellationToken);
        if (!work.Invocation.Async && context.ResponseAddress is not null)
        {
            await context.RespondAsync<InvocationResult>(result, EndpointConventions.Transient);
        }
    }
}
