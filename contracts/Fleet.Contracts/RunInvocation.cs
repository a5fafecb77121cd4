namespace Fleet.Contracts;

/// <summary>Scheduler → worker: execute a placed invocation. Keeps the gateway's RequestId/ResponseAddress headers.</summary>
public sealed record RunInvocation
{
    public required InvokeFunction Invocation { get; init; }

    /// <summary>Where the worker reports the slot free again (the dispatching scheduler instance).</summary>
    public required Uri LedgerAddress { get; init; }

    /// <summary>The worker the scheduler placed it on; empty when it went to the shared queue.</summary>
    public string PlacedOn { get; init; } = "";
}
