using System.Globalization;

namespace Fleet.Worker.Runtimes.Catalog;

/// <summary>Node.js with its heap held to MemoryMB; V8 reserves too much address space for an rlimit, and has no spares yet.</summary>
internal sealed class NodeRuntime : IRuntime
{
    public string Name => Fleet.Contracts.Runtimes.Node;

    public bool LimitsAddressSpace => false;

    public bool SupportsSpares => false;

    public IReadOnlyList<string> Command(SandboxProfile profile, string executorDirectory, int memoryMB)
    {
        var script = Path.Combine(executorDirectory, "node_executor.js");
        return memoryMB > 0
            ? [profile.NodePath, string.Create(CultureInfo.InvariantCulture, $"--max-old-space-size={memoryMB}"), script]
            : [profile.NodePath, script];
    }
}
