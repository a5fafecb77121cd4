using Fleet.ServiceDefaults;

namespace Fleet.Core;

/// <summary>This process's core: its own event queue (deletions, worker heartbeats) and the ledger id it places with.</summary>
internal sealed class CoreIdentity
{
    public string Id { get; } = Guid.NewGuid().ToString("N")[..12];

    public string Queue => QueueNames.GatewayInstance(Id);
}
