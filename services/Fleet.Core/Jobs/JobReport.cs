namespace Fleet.Core.Jobs;

/// <summary>
/// A job as its owner sees it: its slices counted, and its state by the job model's rules. <see cref="Document"/> is
/// the facade's own JSON, kept as it was given.
/// </summary>
public sealed record JobReport(
    string Id, string Document, DateTimeOffset CreatedAt, JobState State, int TotalSlices, int ActiveSlices, int ReturnedSlices,
    int FailedSlices, double CpuSeconds);

/// <summary>
/// Where a job stands, in order: cancelled (for good); completed once every slice returned; corrupted once none is
/// pending or in flight and some failed; running otherwise, a job with no slices yet too (an appended slice brings a
/// completed or corrupted job back to running).
/// </summary>
public enum JobState
{
    Running,
    Completed,
    Corrupted,
    Cancelled,
}

/// <summary>A returned slice: its number and value (JSON).</summary>
public sealed record SliceValue(int Number, string Value);

/// <summary>A failed slice: its number, its last error and how many attempts it had.</summary>
public sealed record SliceError(int Number, string Error, int Attempts);

/// <summary>What an append did: Found false (none of the owner's) or Open false (cancelled) appended nothing.</summary>
public sealed record SlicesAppended(bool Found, bool Open, int FirstNumber, int LastNumber, int TotalSlices);
