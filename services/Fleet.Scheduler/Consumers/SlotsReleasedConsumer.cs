using Fleet.Contracts;
using Fleet.Scheduler.Placement;
using MassTransit;

namespace Fleet.Scheduler.Consumers;

internal sealed class SlotsReleasedConsumer(WorkerLedger ledger) : IConsumer<SlotsReleased>
{
    public Task Consume(ConsumeContext<SlotsReleased> context)
    {
        ledger.Release(context.Message);
        return Task.CompletedTask;
    }
}
