namespace Fleet.Contracts;

/// <summary>Worker → every scheduler (published): capacity and warm instances, about once a second.</summary>
public sealed record WorkerHeartbeat
{
    public required string WorkerId { get; init; }

    /// <summary>The worker's own queue, for placing work on it.</summary>
    public required Uri Address { get; init; }

    public required int Slots { get; init; }

    public required int BusySlots { get; init; }

    /// <summary>
    /// Calls placed on this worker that it holds (received and not yet finished), by the ledger that placed them
    /// (<see cref="RunInvocation.PlacedBy"/>). Absent ledgers hold none.
    /// </summary>
    public IReadOnlyDictionary<string, int> Held { get; init; } = new Dictionary<string, int>();

    public required int MemoryBudgetMB { get; init; }

    /// <summary>Memory reserved by live instances, idle or busy.</summary>
    public required int MemoryUsedMB { get; init; }

    public required double Cpus { get; init; }

    /// <summary>Idle warm instances by function name.</summary>
    public required IReadOnlyDictionary<string, int> IdleWarm { get; init; }

    /// <summary>The runtimes it runs (<see cref="Runtimes"/>); empty from an older worker, which runs <see cref="Runtimes.BuiltIn"/>.</summary>
    public IReadOnlyList<string> Runtimes { get; init; } = [];

    /// <summary>Stopping: place nothing more on it.</summary>
    public bool Draining { get; init; }

    public required DateTimeOffset SentAt { get; init; }
}
