using Fleet.Contracts;

namespace Fleet.Worker.Runtimes;

/// <summary>The outcome of one call on an instance; a batch's items have outcomes of their own.</summary>
internal sealed record Execution
{
    /// <summary>Succeeded, Failed or TimedOut (never Refused). A batch succeeds when it ran, whatever its items did.</summary>
    public required InvocationStatus Status { get; init; }

    /// <summary>JSON text of the handler's return value (python json.dumps / JSON.stringify; undefined gives "").</summary>
    public string Result { get; init; } = "";

    /// <summary>bytes-handler: the bytes the handler returned.</summary>
    public byte[] ResultBytes { get; init; } = [];

    /// <summary>See <see cref="CallOutcome.ReturnCode"/>; meaningful when the executor replied.</summary>
    public int ReturnCode { get; init; }

    /// <summary>With returnOutput: the call's captured stdout, cut to the result limit.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>With returnOutput: the call's captured stderr, cut to the result limit.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>Why it failed: the exception's type and message, "timed out after Ns", "instance exited …".</summary>
    public string Error { get; init; } = "";

    /// <summary>A batch's outcomes, one per item in order; empty for a single call.</summary>
    public IReadOnlyList<CallOutcome> Items { get; init; } = [];

    /// <summary>An already-running idle instance (prewarmed ones count) served it.</summary>
    public bool IsWarmStart { get; init; }

    /// <summary>When the handler call began (after any cold start).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Seconds inside the handler (a batch: inside the executor's handling of all its items).</summary>
    public double Duration { get; init; }

    /// <summary>Instance start and code load when cold; 0 when warm.</summary>
    public double ColdStartSeconds { get; init; }
}
