using Fleet.Contracts;
using MassTransit;

namespace Fleet.Placement;

public sealed class SlotsReleasedConsumer(WorkerLedger ledger) : IConsumer<SlotsReleased>
{
    public Task Consume(ConsumeContext<SlotsReleased> context)
    {
        ledger.Release(context.Message);
        return Task.CompletedTask;
    }
}
