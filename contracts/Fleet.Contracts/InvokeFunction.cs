namespace Fleet.Contracts;

/// <summary>Gateway → scheduler: run one invocation. Sent as a request when <see cref="Async"/> is false.</summary>
public sealed record InvokeFunction
{
    /// <summary>The call's id; for async calls also the id of its stored record.</summary>
    public required string RequestId { get; init; }

    public required FunctionSpec Function { get; init; }

    /// <summary>The handler's input: a JSON document for JSON handlers (an object for Serverledge), bytes for others.</summary>
    public required Payload Input { get; init; }

    /// <summary>
    /// A batch: these inputs run as one call on one instance and are answered one <see cref="ItemOutcome"/> each
    /// (<see cref="Input"/> is then not used); null for a single call.
    /// </summary>
    public IReadOnlyList<Payload>? Items { get; init; }

    /// <summary>
    /// The job slices the <see cref="Items"/> are, for a call the job engine dispatched: their outcomes go to the job
    /// store, not to a call record; null for every other call.
    /// </summary>
    public JobSlices? Slices { get; init; }

    /// <summary>An entry point other than the function's handler, for chained calls; null: the convention's default.</summary>
    public string? Entry { get; init; }

    /// <summary>Return the call's stdout and stderr with its outcome.</summary>
    public bool CaptureOutput { get; init; }

    /// <summary>0 (lowest) to 2: placed first when calls wait for a slot.</summary>
    public int Priority { get; init; }

    /// <summary>The call must have finished by then, or be refused rather than run late.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Async calls are recorded in the store; their results are written there.</summary>
    public bool Async { get; init; }

    /// <summary>The call has a queued record in the store (the standalone's, and facades that show queued calls): the worker marks it running when it starts.</summary>
    public bool Recorded { get; init; }

    /// <summary>How long an async call's outcome stays readable after it completes; null: the store's default.</summary>
    public int? RetentionSeconds { get; init; }

    /// <summary>The call that made this one, when a function calls another (chained calls).</summary>
    public string? ParentCallId { get; init; }

    /// <summary>How many calls made this one: 0 for a client's call, its parent's depth + 1 for a chained call.</summary>
    public int ChainDepth { get; init; }

    /// <summary>When the gateway received the call: the origin of InitTime and ResponseTime.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
}
