namespace Fleet.Contracts;

public sealed record FleetStatus
{
    public required int Workers { get; init; }

    public required int FreeSlots { get; init; }

    public required int AvailableMemMB { get; init; }

    public required double AvailableCpus { get; init; }

    public required IReadOnlyDictionary<string, int> IdleWarm { get; init; }

    /// <summary>Calls refused for lack of capacity or an unreachable deadline since the scheduler started.</summary>
    public required long DropCount { get; init; }
}
