using Fleet.Contracts;

namespace Fleet.Core.Invocations;

/// <summary>How a call ended, as every facade reads it.</summary>
public sealed record CallOutcome
{
    public required string Id { get; init; }

    public required InvocationStatus Status { get; init; }

    /// <summary>What the handler returned: JSON text for JSON handlers ("" when none), bytes for others.</summary>
    public Payload Output { get; init; } = Payload.Empty;

    /// <summary>The handler's return code, for conventions that have one.</summary>
    public int ReturnCode { get; init; }

    /// <summary>With <see cref="CallRequest.CaptureOutput"/>: what the call wrote to stdout.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>With <see cref="CallRequest.CaptureOutput"/>: what the call wrote to stderr.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>A batch's outcomes, one per item in order; null for one call.</summary>
    public IReadOnlyList<ItemOutcome>? Items { get; init; }

    /// <summary>Why it failed or was refused.</summary>
    public string Error { get; init; } = "";

    public bool IsWarmStart { get; init; }

    /// <summary>The worker that ran it ("" when none did).</summary>
    public string WorkerId { get; init; } = "";

    /// <summary>Seconds from arrival to the handler starting.</summary>
    public double InitTime { get; init; }

    /// <summary>Seconds inside the handler.</summary>
    public double Duration { get; init; }

    /// <summary>Seconds from arrival to the outcome.</summary>
    public double ResponseTime { get; init; }

    internal static CallOutcome From(InvocationResult result) => new()
    {
        Id = result.RequestId,
        Status = result.Status,
        Output = result.Output,
        ReturnCode = result.ReturnCode,
        Stdout = result.Stdout,
        Stderr = result.Stderr,
        Items = result.Items,
        Error = result.Error,
        IsWarmStart = result.IsWarmStart,
        WorkerId = result.WorkerId ?? "",
        InitTime = result.InitTime,
        Duration = result.Duration,
        ResponseTime = result.ResponseTime,
    };
}
