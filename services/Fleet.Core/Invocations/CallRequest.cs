using Fleet.Contracts;

namespace Fleet.Core.Invocations;

/// <summary>A facade's call of a function, its wire format already read.</summary>
public sealed record CallRequest
{
    public required FunctionSpec Function { get; init; }

    /// <summary>The handler's input: a JSON document for JSON handlers (an object for Serverledge's), bytes for others.</summary>
    public required Payload Input { get; init; }

    /// <summary>A batch: these inputs run as one call, answered one item outcome each (<see cref="Input"/> unused); null for one call.</summary>
    public IReadOnlyList<Payload>? Items { get; init; }

    /// <summary>Return what the call wrote to stdout and stderr with its outcome.</summary>
    public bool CaptureOutput { get; init; }

    /// <summary>0 (lowest) to <see cref="CallPriority.Highest"/>; facades map their own classes onto it.</summary>
    public int Priority { get; init; }

    /// <summary>The call must have finished by then, or be refused rather than run late.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>How long the outcome of an async call stays readable; null: <c>Store:CallRetentionSeconds</c>.</summary>
    public int? RetentionSeconds { get; init; }

    /// <summary>An entry point other than the function's handler (Faasm's <c>py_entry</c>); null: the handler.</summary>
    public string? Entry { get; init; }

    /// <summary>The call that made this one (a chained call).</summary>
    public string? ParentCallId { get; init; }

    /// <summary>
    /// Record an async call as queued when it is accepted, so that it reads queued or running until its outcome (an API
    /// that answers "running" needs it), whatever <see cref="CoreOptions.RecordQueuedCalls"/> says.
    /// </summary>
    public bool Record { get; init; }

    /// <summary>The facade's own id for the call (its API's id shape); null: the core makes one.</summary>
    public string? Id { get; init; }

    /// <summary>When the facade received it: the origin of the outcome's init and response times.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
}
