namespace Fleet.Contracts;

/// <summary>The canonical runtime names workers understand.</summary>
public static class Runtimes
{
    public const string Python = "python";
    public const string Node = "node";

    /// <summary>WebAssembly modules (wasm32-wasi) run by Wasmtime; Faasm's C and C++ functions.</summary>
    public const string Wasm = "wasm";

    /// <summary>
    /// Serverledge's custom images: a container running an executor HTTP server, on workers with a container engine
    /// only (they name it in <see cref="WorkerHeartbeat.Runtimes"/>).
    /// </summary>
    public const string Custom = "custom";

    /// <summary>What every worker runs: a worker whose heartbeat names no runtimes runs these.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } = [Python, Node, Wasm];

    public static bool IsKnown(string runtime) => runtime is Python or Node or Wasm or Custom;

    /// <summary>Runtimes only some workers offer, so calls of their functions go only to those.</summary>
    public static bool IsOptional(string runtime) => runtime is Custom;
}
