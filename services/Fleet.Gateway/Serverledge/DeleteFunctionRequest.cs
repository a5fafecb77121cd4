namespace Fleet.Gateway.Serverledge;

internal sealed record DeleteFunctionRequest
{
    public string? Name { get; init; }
}
