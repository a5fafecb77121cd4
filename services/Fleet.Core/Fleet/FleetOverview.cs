using Fleet.Contracts;

namespace Fleet.Core.Fleet;

/// <summary>The fleet's free capacity as the scheduler counts it.</summary>
/// <param name="IdleWarm">Idle warm instances by function key (<see cref="FunctionKeys"/>).</param>
public sealed record FleetOverview(
    int Workers, int FreeSlots, int AvailableMemMB, double AvailableCpus, IReadOnlyDictionary<string, int> IdleWarm, long DropCount)
{
    /// <summary>Idle warm instances of the functions in <paramref name="namespace"/>, by name.</summary>
    public IReadOnlyDictionary<string, int> IdleWarmIn(string @namespace) =>
        IdleWarm.Select(pair => (Name: FunctionKeys.NameIn(pair.Key, @namespace), Count: pair.Value))
            .Where(pair => pair.Name is not null)
            .ToDictionary(pair => pair.Name!, pair => pair.Count, StringComparer.Ordinal);
}
