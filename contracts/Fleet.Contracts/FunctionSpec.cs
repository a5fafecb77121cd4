namespace Fleet.Contracts;

/// <summary>A registered function as every service sees it. Facade-neutral.</summary>
public sealed record FunctionSpec
{
    /// <summary>Whose name this is: each facade keeps its functions in a namespace of its own (<see cref="FunctionNamespaces"/>).</summary>
    public required string Namespace { get; init; }

    /// <summary>Unique within its <see cref="Namespace"/>, URL-safe.</summary>
    public required string Name { get; init; }

    /// <summary>The function across namespaces (<see cref="FunctionKeys"/>): what instances, warm counts and metrics go by.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => FunctionKeys.Of(Namespace, Name);

    /// <summary>Canonical runtime (<see cref="Runtimes"/>).</summary>
    public required string Runtime { get; init; }

    /// <summary>How the function is called (<see cref="CallConventions"/>): JSON params in and out for Serverledge's.</summary>
    public string Convention
    {
        get;

        // Documents stored before conventions existed have none (and source-generated readers set a missing
        // property to null rather than leave this default): those functions are JSON handlers.
        init => field = string.IsNullOrEmpty(value) ? CallConventions.JsonHandler : value;
    } = CallConventions.JsonHandler;

    /// <summary>Python: <c>module.function</c>; Node: a file path relative to the code directory.</summary>
    public required string Handler { get; init; }

    /// <summary>Memory reserved for, and enforced on, each instance.</summary>
    public required int MemoryMB { get; init; }

    /// <summary>Max cores per instance; 0 or negative means no cap.</summary>
    public double CpuDemand { get; init; }

    /// <summary>A call running longer than this is stopped and fails.</summary>
    public required int TimeoutSeconds { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the code package; the bytes live in the store once.</summary>
    public required string PackageHash { get; init; }

    /// <summary>Changes whenever a function of this name is created anew, so stale warm instances are never reused.</summary>
    public required string Generation { get; init; }

    /// <summary><see cref="Runtimes.Custom"/>: the container image instances are made from (it must be on the worker); else null.</summary>
    public string? CustomImage { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
