namespace Fleet.Worker.Runtimes.Catalog;

/// <summary>
/// One language runtime functions run in: how its executor is launched and what the pool may do with it. Adding a
/// runtime is one class implementing this, listed in <see cref="RuntimeCatalog"/>, and one executor script in Executors/.
/// </summary>
internal interface IRuntime
{
    /// <summary>The name functions give as their runtime (<see cref="Fleet.Contracts.Runtimes"/>).</summary>
    string Name { get; }

    /// <summary>
    /// Whether, without a memory cgroup, MemoryMB is held by an address-space rlimit (not where the runtime reserves far
    /// more address space than it uses, as V8 does: it would not start).
    /// </summary>
    bool LimitsAddressSpace { get; }

    /// <summary>Whether spares of it may be started before their function is known.</summary>
    bool SupportsSpares { get; }

    /// <summary>The executor's command line: the interpreter, its flags, and its script in <paramref name="executorDirectory"/>.</summary>
    IReadOnlyList<string> Command(SandboxProfile profile, string executorDirectory, int memoryMB);
}
