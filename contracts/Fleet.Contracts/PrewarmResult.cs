namespace Fleet.Contracts;

public sealed record PrewarmResult
{
    /// <summary>Instances actually started (fewer than asked when capacity ran out).</summary>
    public required int Prewarmed { get; init; }
}
