namespace Fleet.Contracts;

/// <summary>Gateway → scheduler (request): start idle warm instances across the fleet. Answered with <see cref="PrewarmResult"/>.</summary>
public sealed record PrewarmFunction
{
    public required FunctionSpec Function { get; init; }

    public required int Instances { get; init; }

    /// <summary>Fetch and unpack the package again even if a worker has it cached.</summary>
    public bool RefreshPackage { get; init; }
}
