namespace Fleet.Worker.Runtimes.Catalog;

/// <summary>The runtimes this worker runs: the one list the pool, the sandbox command and spares consult.</summary>
internal static class RuntimeCatalog
{
    public static IReadOnlyList<IRuntime> All { get; } = [new PythonRuntime(), new NodeRuntime(), new WasmRuntime()];

    /// <summary>The runtimes spares are started in.</summary>
    public static IReadOnlyList<IRuntime> Spares { get; } = [.. All.Where(runtime => runtime.SupportsSpares)];

    public static IRuntime? Find(string name) => All.FirstOrDefault(runtime => runtime.Name == name);
}
