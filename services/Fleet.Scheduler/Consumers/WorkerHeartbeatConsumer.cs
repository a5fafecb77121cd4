using Fleet.Contracts;
using Fleet.Scheduler.Placement;
using MassTransit;

namespace Fleet.Scheduler.Consumers;

internal sealed class WorkerHeartbeatConsumer(WorkerLedger ledger) : IConsumer<WorkerHeartbeat>
{
    public Task Consume(ConsumeContext<WorkerHeartbeat> context)
    {
        ledger.Observe(context.Message);
        return Task.CompletedTask;
    }
}
