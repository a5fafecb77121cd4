namespace Fleet.Worker.Runtimes.Catalog;

/// <summary>
/// WebAssembly through Fleet's own executor (.NET and Wasmtime, Executors/wasm): Wasmtime reserves gigabytes of
/// address space for each linear memory, so only a memory cgroup holds it, as for V8; spares supported (.NET's own
/// start-up is most of a cold start).
/// </summary>
internal sealed class WasmRuntime : IRuntime
{
    public const string ExecutorFolder = "wasm";

    public string Name => Fleet.Contracts.Runtimes.Wasm;

    public bool LimitsAddressSpace => false;

    public bool SupportsSpares => true;

    public IReadOnlyList<string> Command(SandboxProfile profile, string executorDirectory, int memoryMB) =>
        [DotnetHost.Executable, Path.Combine(executorDirectory, ExecutorFolder, "Fleet.WasmExecutor.dll")];
}
