namespace Fleet.Contracts;

/// <summary>Gateway → scheduler: run one invocation. Sent as a request when <see cref="Async"/> is false.</summary>
public sealed record InvokeFunction
{
    /// <summary>The call's id; for async calls also the id of its stored record.</summary>
    public required string RequestId { get; init; }

    public required FunctionSpec Function { get; init; }

    /// <summary>The handler's parameters as a JSON document (an object for Serverledge).</summary>
    public required string ParamsJson { get; init; }

    public bool ReturnOutput { get; init; }

    /// <summary>0 = low, 1 = high performance, 2 = high availability.</summary>
    public int QosClass { get; init; }

    /// <summary>The call must have finished by then, or be refused rather than run late.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Async calls are recorded in the store; their results are written there.</summary>
    public bool Async { get; init; }

    /// <summary>When the gateway received the call: the origin of InitTime and ResponseTime.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
}
