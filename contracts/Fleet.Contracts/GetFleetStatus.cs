namespace Fleet.Contracts;

/// <summary>Gateway → scheduler (request): the fleet's capacity view. Answered with <see cref="FleetStatus"/>.</summary>
public sealed record GetFleetStatus
{
    public DateTimeOffset AskedAt { get; init; }
}
