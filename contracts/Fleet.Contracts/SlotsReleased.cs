namespace Fleet.Contracts;

/// <summary>Worker → the scheduler instance that placed the work: these invocations finished and their slots are free.</summary>
public sealed record SlotsReleased
{
    public required string WorkerId { get; init; }

    /// <summary>One entry per finished invocation: the function it ran (its instance is idle and warm again).</summary>
    public required IReadOnlyList<string> Functions { get; init; }

    /// <summary>How many of them had been placed on this worker by the scheduler (the rest came from the shared queue).</summary>
    public required int Placed { get; init; }

    /// <summary>When the worker sent it: a heartbeat sent later already counts these slots free.</summary>
    public DateTimeOffset SentAt { get; init; }
}
