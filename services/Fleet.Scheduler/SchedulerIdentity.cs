using Fleet.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Fleet.Scheduler;

/// <summary>This scheduler instance's id and the address of its own queue (heartbeats, released slots).</summary>
internal sealed class SchedulerIdentity(IOptions<SchedulerOptions> options)
{
    public string Id { get; } = string.IsNullOrEmpty(options.Value.InstanceId)
        ? $"{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid():N}"[..^24]
        : options.Value.InstanceId;

    public string Queue => QueueNames.SchedulerInstance(Id);

    public Uri Address => QueueNames.Address(Queue);
}
