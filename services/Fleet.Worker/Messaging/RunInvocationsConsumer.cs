using Fleet.Contracts;
using MassTransit;

namespace Fleet.Worker.Messaging;

/// <summary>A batch of placed async calls, run side by side within the worker's slots; acknowledged when all are stored.</summary>
internal sealed class RunInvocationsConsumer(InvocationRunner runner) : IConsumer<RunInvocations>
{
    public Task Consume(ConsumeContext<RunInvocations> context)
    {
        var work = context.Message;
        return Task.WhenAll(work.Calls.Select(call => runner.RunAsync(call, work.LedgerAddress, work.PlacedOn, work.PlacedBy, context.CancellationToken)));
    }
}
