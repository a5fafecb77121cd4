namespace Fleet.Core.Fleet;

/// <summary>The fleet's free capacity as the scheduler counts it.</summary>
public sealed record FleetOverview(
    int Workers, int FreeSlots, int AvailableMemMB, double AvailableCpus, IReadOnlyDictionary<string, int> IdleWarm, long DropCount);
