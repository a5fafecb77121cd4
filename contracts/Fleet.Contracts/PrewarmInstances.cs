namespace Fleet.Contracts;

/// <summary>Scheduler → one worker (request): start up to <see cref="Instances"/> idle instances. Answered with <see cref="PrewarmResult"/>.</summary>
public sealed record PrewarmInstances
{
    public required FunctionSpec Function { get; init; }

    public required int Instances { get; init; }

    public bool RefreshPackage { get; init; }
}
