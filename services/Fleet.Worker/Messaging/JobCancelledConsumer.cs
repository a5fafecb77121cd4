using Fleet.Contracts;
using MassTransit;

namespace Fleet.Worker.Messaging;

/// <summary>Stops the cancelled job's slices running here, and the ones that arrive later.</summary>
internal sealed class JobCancelledConsumer(JobCancellations cancellations) : IConsumer<JobCancelled>
{
    public Task Consume(ConsumeContext<JobCancelled> context)
    {
        cancellations.Cancel(context.Message.JobId);
        return Task.CompletedTask;
    }
}
