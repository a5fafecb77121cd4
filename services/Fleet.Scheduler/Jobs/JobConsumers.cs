using Fleet.Contracts;
using MassTransit;

namespace Fleet.Scheduler.Jobs;

/// <summary>A job was deployed or appended to: its slices are dispatched now.</summary>
internal sealed class JobSlicesAddedConsumer(JobEngine engine) : IConsumer<JobSlicesAdded>
{
    public Task Consume(ConsumeContext<JobSlicesAdded> context)
    {
        engine.Activate(context.Message.JobId);
        return Task.CompletedTask;
    }
}

/// <summary>A worker stored the outcomes of a call of slices this scheduler sent: the job's next slices go now.</summary>
internal sealed class SlicesReturnedConsumer(JobEngine engine) : IConsumer<SlicesReturned>
{
    public Task Consume(ConsumeContext<SlicesReturned> context)
    {
        engine.Returned(context.Message);
        return Task.CompletedTask;
    }
}
