using Fleet.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Fleet.Worker;

/// <summary>This worker's id and the address of its own queue.</summary>
internal sealed class WorkerIdentity(IOptions<WorkerOptions> options)
{
    public string Id { get; } = string.IsNullOrEmpty(options.Value.WorkerId)
        ? $"{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid():N}"[..^24]
        : options.Value.WorkerId;

    public string Queue => QueueNames.Worker(Id);

    public Uri Address => QueueNames.Address(Queue);
}
