namespace Fleet.Contracts;

/// <summary>Scheduler → worker: async calls placed together on one worker (or on the shared queue); acknowledged once all are stored.</summary>
public sealed record RunInvocations
{
    public required IReadOnlyList<InvokeFunction> Calls { get; init; }

    /// <summary>Where the worker reports the slots free again (the dispatching scheduler instance).</summary>
    public required Uri LedgerAddress { get; init; }

    /// <summary>The worker the scheduler placed them on; empty when they went to the shared queue.</summary>
    public string PlacedOn { get; init; } = "";

    /// <summary>
    /// The ledger that placed it on that worker (<see cref="PlacedOn"/>): the worker counts the calls it holds for each
    /// ledger in its heartbeats, from which that ledger corrects its count of the worker's busy slots.
    /// </summary>
    public string PlacedBy { get; init; } = "";
}
