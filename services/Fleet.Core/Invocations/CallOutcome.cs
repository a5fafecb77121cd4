using Fleet.Contracts;

namespace Fleet.Core.Invocations;

/// <summary>How a call ended, as every facade reads it.</summary>
public sealed record CallOutcome
{
    public required string Id { get; init; }

    public required InvocationStatus Status { get; init; }

    /// <summary>The handler's return value as JSON text ("" when none).</summary>
    public string OutputJson { get; init; } = "";

    /// <summary>With <see cref="CallRequest.CaptureOutput"/>: what the call wrote, stdout then stderr.</summary>
    public string Logs { get; init; } = "";

    /// <summary>Why it failed or was refused.</summary>
    public string Error { get; init; } = "";

    public bool IsWarmStart { get; init; }

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
        OutputJson = result.Result,
        Logs = result.Output,
        Error = result.Error,
        IsWarmStart = result.IsWarmStart,
        InitTime = result.InitTime,
        Duration = result.Duration,
        ResponseTime = result.ResponseTime,
    };
}
