using Fleet.Contracts;
using MassTransit;

namespace Fleet.Placement;

public sealed class WorkerHeartbeatConsumer(WorkerLedger ledger) : IConsumer<WorkerHeartbeat>
{
    public Task Consume(ConsumeContext<WorkerHeartbeat> context)
    {
        ledger.Observe(context.Message);
        return Task.CompletedTask;
    }
}
