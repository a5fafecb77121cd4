namespace Fleet.Contracts;

/// <summary>Worker (or scheduler, when refused) → gateway: how a call ended. Also the stored outcome of async calls.</summary>
public sealed record InvocationResult
{
    public required string RequestId { get; init; }

    public required InvocationStatus Status { get; init; }

    /// <summary>What the handler returned: JSON text for JSON handlers ("" when none), bytes for others.</summary>
    public Payload Output { get; init; } = Payload.Empty;

    /// <summary>The handler's return code, for conventions that have one (0 otherwise).</summary>
    public int ReturnCode { get; init; }

    /// <summary>Captured stdout, when CaptureOutput was asked for.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>Captured stderr, when CaptureOutput was asked for.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>A batch's outcomes, one per item in order; null for a single call.</summary>
    public IReadOnlyList<ItemOutcome>? Items { get; init; }

    /// <summary>Why it failed, for operators and for facades that show errors; never logged.</summary>
    public string Error { get; init; } = "";

    public bool IsWarmStart { get; init; }

    /// <summary>Seconds from arrival at the gateway to the handler starting.</summary>
    public double InitTime { get; init; }

    /// <summary>Seconds inside the instance running the handler.</summary>
    public double Duration { get; init; }

    /// <summary>Seconds from arrival at the gateway to the result being available.</summary>
    public double ResponseTime { get; init; }

    public string WorkerId { get; init; } = "";

    public DateTimeOffset CompletedAt { get; init; }
}
