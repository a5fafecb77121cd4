namespace Fleet.Core.Functions;

/// <summary>A facade's request to register a function, its wire format already read.</summary>
public sealed record FunctionRegistration
{
    public required FunctionRef Function { get; init; }

    /// <summary>A canonical runtime (<see cref="Contracts.Runtimes"/>); anything else is refused as an unknown runtime.</summary>
    public required string Runtime { get; init; }

    /// <summary>How the function is called (<see cref="Contracts.CallConventions"/>).</summary>
    public string Convention { get; init; } = Contracts.CallConventions.JsonHandler;

    /// <summary>Python: <c>module.function</c>; Node: a file path inside the package.</summary>
    public string? Handler { get; init; }

    public int MemoryMB { get; init; }

    /// <summary>Cores per instance; 0 or -1 for no cap.</summary>
    public double CpuDemand { get; init; }

    /// <summary>Null: <see cref="CoreOptions.DefaultTimeoutSeconds"/>.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary><see cref="Contracts.Runtimes.Custom"/>: the container image (the function has no package then).</summary>
    public string? CustomImage { get; init; }

    /// <summary>The code as a tar archive; not read for a custom image.</summary>
    public required byte[] Package { get; init; }
}
