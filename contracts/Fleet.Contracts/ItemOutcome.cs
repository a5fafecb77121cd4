namespace Fleet.Contracts;

/// <summary>How one item of a batch call ended; one failing item does not fail the others.</summary>
public sealed record ItemOutcome
{
    /// <summary>Succeeded or Failed.</summary>
    public required InvocationStatus Status { get; init; }

    public Payload Output { get; init; } = Payload.Empty;

    public int ReturnCode { get; init; }

    /// <summary>Why it failed.</summary>
    public string Error { get; init; } = "";

    /// <summary>Seconds inside the handler.</summary>
    public double Duration { get; init; }
}
