namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>POST /create. Keys match case-insensitively, as Go's decoder does; unknown keys are ignored.</summary>
internal sealed record CreateFunctionRequest
{
    public string? Name { get; init; }

    public string? Runtime { get; init; }

    public int MemoryMB { get; init; }

    public double CPUDemand { get; init; }

    public string? Handler { get; init; }

    public string? TarFunctionCode { get; init; }

    public string? CustomImage { get; init; }

    /// <summary>Fleet's extension: seconds a call may run before it is stopped.</summary>
    public int? Timeout { get; init; }
}
