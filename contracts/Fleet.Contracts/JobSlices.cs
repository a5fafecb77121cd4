namespace Fleet.Contracts;

/// <summary>
/// The slices of a job one call runs (<see cref="InvokeFunction.Slices"/>): its items are their data, in this order.
/// The worker stores each slice's outcome in the job store (first result wins) and reports to <see cref="ReportTo"/>.
/// </summary>
public sealed record JobSlices
{
    public required string JobId { get; init; }

    /// <summary>Each item's slice number and the attempt it is on, as the engine claimed it.</summary>
    public required IReadOnlyList<SliceAttempt> Slices { get; init; }

    /// <summary>The scheduler instance that dispatched them: told when their outcomes are stored (<see cref="SlicesReturned"/>).</summary>
    public required Uri ReportTo { get; init; }
}

/// <summary>A slice's number in its job and the attempt that runs it (1 for its first run).</summary>
public sealed record SliceAttempt(int Number, int Attempt);

/// <summary>Gateway → scheduler: a job was deployed or got more slices; the engine dispatches them without waiting for its sweep.</summary>
public sealed record JobSlicesAdded
{
    public required string JobId { get; init; }
}

/// <summary>
/// Worker → the scheduler instance that dispatched a call of slices: their outcomes are stored. Carries the handler's
/// seconds for them, from which the engine sizes the job's next calls.
/// </summary>
public sealed record SlicesReturned
{
    public required string JobId { get; init; }

    /// <summary>How many slices the call ran (failed ones too).</summary>
    public required int Slices { get; init; }

    /// <summary>The seconds the handler took for them, in all.</summary>
    public required double Seconds { get; init; }
}

/// <summary>Gateway → every worker: the job is cancelled; its running slices are stopped and their outcomes discarded.</summary>
public sealed record JobCancelled
{
    public required string JobId { get; init; }
}
