using Fleet.Contracts;

namespace Fleet.Worker.Runtimes;

/// <summary>The outcome of one item of a call.</summary>
internal sealed record CallOutcome
{
    /// <summary>Succeeded or Failed.</summary>
    public required InvocationStatus Status { get; init; }

    /// <summary>json-handler: JSON text of the handler's return value (python json.dumps / JSON.stringify; undefined gives "").</summary>
    public string Result { get; init; } = "";

    /// <summary>bytes-handler: the bytes the handler returned.</summary>
    public byte[] ResultBytes { get; init; } = [];

    /// <summary>The handler's return code (bytes-handler); 0 after a json-handler success, 1 after a failure the executor reported.</summary>
    public int ReturnCode { get; init; }

    /// <summary>Why it failed: the exception's type and message, or why its result cannot be returned.</summary>
    public string Error { get; init; } = "";

    /// <summary>Seconds inside the handler.</summary>
    public double Duration { get; init; }
}
