namespace Fleet.Worker.Runtimes.Catalog;

/// <summary>CPython, isolated (-I), without site packages (-S) or bytecode files (-B); spares supported.</summary>
internal sealed class PythonRuntime : IRuntime
{
    public string Name => Fleet.Contracts.Runtimes.Python;

    public bool LimitsAddressSpace => true;

    public bool SupportsSpares => true;

    public IReadOnlyList<string> Command(SandboxProfile profile, string executorDirectory, int memoryMB) =>
        [profile.PythonPath, "-I", "-S", "-B", Path.Combine(executorDirectory, "python_executor.py")];
}
