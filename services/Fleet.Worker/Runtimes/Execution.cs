using Fleet.Contracts;

namespace Fleet.Worker.Runtimes;

/// <summary>The outcome of one call on an instance.</summary>
internal sealed record Execution
{
    /// <summary>Succeeded, Failed or TimedOut (never Refused).</summary>
    public required InvocationStatus Status { get; init; }

    /// <summary>JSON text of the handler's return value (python json.dumps / JSON.stringify; undefined gives "").</summary>
    public string Result { get; init; } = "";

    /// <summary>With returnOutput: the call's captured stdout + "\n" + stderr.</summary>
    public string Output { get; init; } = "";

    /// <summary>Why it failed: the exception's type and message, "timed out after Ns", "instance exited …".</summary>
    public string Error { get; init; } = "";

    /// <summary>An already-running idle instance (prewarmed ones count) served it.</summary>
    public bool IsWarmStart { get; init; }

    /// <summary>When the handler call began (after any cold start).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Seconds inside the handler.</summary>
    public double Duration { get; init; }

    /// <summary>Instance start and code load when cold; 0 when warm.</summary>
    public double ColdStartSeconds { get; init; }
}
