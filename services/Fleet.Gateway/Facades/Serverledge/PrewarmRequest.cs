namespace Fleet.Gateway.Facades.Serverledge;

internal sealed record PrewarmRequest
{
    public string? Function { get; init; }

    public int Instances { get; init; }

    public bool ForceImagePull { get; init; }
}
