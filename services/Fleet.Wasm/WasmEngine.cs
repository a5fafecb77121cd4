using Wasmtime;

namespace Fleet.Wasm;

/// <summary>
/// The one Wasmtime configuration: the registry compiles uploaded modules with it and the executor loads what it
/// compiled, and Wasmtime loads a compiled module only into an engine configured as the one that compiled it.
/// </summary>
public static class WasmEngine
{
    public static Engine Create()
    {
        using var config = new Config()
            .WithOptimizationLevel(OptimizationLevel.Speed)
            .WithWasmThreads(false);
        return new Engine(config);
    }
}
