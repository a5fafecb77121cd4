namespace Fleet.Worker.Runtimes.Catalog;

/// <summary>The runtimes this worker runs: the one list the pool, the sandbox command and spares consult.</summary>
internal static class RuntimeCatalog
{
    public static IReadOnlyList<IRuntime> All { get; } = [new PythonRuntime(), new NodeRuntime()];

    /// <summary>The runtime spares are started in (the first that supports them), or null when none does.</summary>
    public static IRuntime? Spares { get; } = All.FirstOrDefault(runtime => runtime.SupportsSpares);

    public static IRuntime? Find(string name) => All.FirstOrDefault(runtime => runtime.Name == name);
}
