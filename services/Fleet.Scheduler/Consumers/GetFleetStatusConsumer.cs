using Fleet.Contracts;
using Fleet.Placement;
using MassTransit;

namespace Fleet.Scheduler.Consumers;

internal sealed class GetFleetStatusConsumer(WorkerLedger ledger) : IConsumer<GetFleetStatus>
{
    public Task Consume(ConsumeContext<GetFleetStatus> context) => context.RespondAsync(ledger.Status());
}
