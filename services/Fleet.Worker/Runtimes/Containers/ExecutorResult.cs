namespace Fleet.Worker.Runtimes.Containers;

/// <summary>A custom image executor's reply to one call (<see cref="ExecutorWire"/>).</summary>
internal sealed record ExecutorResult(bool Success, string Result, string Output);
