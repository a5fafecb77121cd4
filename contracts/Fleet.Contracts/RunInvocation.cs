namespace Fleet.Contracts;

/// <summary>
/// Scheduler or gateway → worker: execute a placed invocation. Keeps the gateway's RequestId/ResponseAddress headers.
/// </summary>
public sealed record RunInvocation
{
    public required InvokeFunction Invocation { get; init; }

    /// <summary>
    /// Where the worker reports the slot free again (the dispatching scheduler instance); null when the placer is the
    /// gateway awaiting the answer, which releases the slot when the answer arrives.
    /// </summary>
    public required Uri? LedgerAddress { get; init; }

    /// <summary>The worker it was placed on; empty when it went to the shared queue.</summary>
    public string PlacedOn { get; init; } = "";

    /// <summary>
    /// The ledger that placed it on that worker (<see cref="PlacedOn"/>): the worker counts the calls it holds for each
    /// ledger in its heartbeats, from which that ledger corrects its count of the worker's busy slots.
    /// </summary>
    public string PlacedBy { get; init; } = "";
}
