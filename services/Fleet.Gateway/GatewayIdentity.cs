using Fleet.ServiceDefaults;

namespace Fleet.Gateway;

/// <summary>This gateway instance: its own event queue, and a 5-digit number that prefixes its request ids.</summary>
internal sealed class GatewayIdentity
{
    public string Id { get; } = Guid.NewGuid().ToString("N")[..12];

    public int Number { get; } = Random.Shared.Next(10_000, 100_000);

    public string Queue => QueueNames.GatewayInstance(Id);
}
