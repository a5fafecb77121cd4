using Fleet.Contracts;

namespace Fleet.Storage.Jobs;

/// <summary>A job as stored. <see cref="Document"/> is JSON the store keeps as it was given.</summary>
public sealed record JobRecord
{
    /// <summary>The facade's id of the job (DCP: <c>0x</c> and 40 lower-case hex digits); at most 200 ASCII characters.</summary>
    public required string Id { get; init; }

    /// <summary>Who may see and manage it (DCP: the identity's address).</summary>
    public required string Owner { get; init; }

    /// <summary>The function every slice runs (registered by the facade).</summary>
    public required FunctionSpec Function { get; init; }

    /// <summary>The facade's own description of the job (its name, arguments, account…).</summary>
    public required string Document { get; init; }

    /// <summary>Attempts a slice gets before it is failed (1 or more).</summary>
    public required int MaxAttempts { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public bool Cancelled { get; init; }

    /// <summary>Slices numbered so far (the last slice's number).</summary>
    public int TotalSlices { get; init; }
}

/// <summary>A job with its slices counted by state.</summary>
public sealed record JobSummary(JobRecord Job, SliceCounts Counts);

/// <summary>
/// A job's slices by state: new (waiting to be claimed, retries among them), scheduled (claimed, in flight or overdue),
/// returned and failed; with the CPU seconds of every attempt so far.
/// </summary>
public sealed record SliceCounts(int New, int Scheduled, int Returned, int Failed, double CpuSeconds);

/// <summary>What an append did: Found false (no such job) or Open false (cancelled) appended nothing.</summary>
public sealed record AppendResult(bool Found, bool Open, int FirstNumber, int LastNumber, int TotalSlices);

/// <summary>A slice the engine claimed: its number, datum (JSON) and the attempt it is on now (1 for its first run).</summary>
public sealed record ClaimedSlice(int Number, string Datum, int Attempt);

/// <summary>A returned slice's number and value (JSON).</summary>
public sealed record SliceResult(int Number, string Value);

/// <summary>A failed slice's number, its last error and how many attempts it had.</summary>
public sealed record FailedSlice(int Number, string Error, int Attempts);

/// <summary>How one attempt of a slice ended.</summary>
public sealed record SliceOutcome
{
    public required string JobId { get; init; }

    public required int Number { get; init; }

    /// <summary>The attempt that ran (<see cref="ClaimedSlice.Attempt"/>).</summary>
    public required int Attempt { get; init; }

    public required bool Succeeded { get; init; }

    /// <summary>The value's JSON when it succeeded.</summary>
    public string Value { get; init; } = "null";

    /// <summary>Why it failed.</summary>
    public string Error { get; init; } = "";

    public double CpuSeconds { get; init; }
}
