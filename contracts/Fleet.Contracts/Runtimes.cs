namespace Fleet.Contracts;

/// <summary>The canonical runtime names workers understand.</summary>
public static class Runtimes
{
    public const string Python = "python";
    public const string Node = "node";

    /// <summary>WebAssembly modules (wasm32-wasi) run by Wasmtime; Faasm's C and C++ functions.</summary>
    public const string Wasm = "wasm";

    public static bool IsKnown(string runtime) => runtime is Python or Node or Wasm;
}
