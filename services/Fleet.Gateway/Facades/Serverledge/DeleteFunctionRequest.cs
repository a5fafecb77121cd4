namespace Fleet.Gateway.Facades.Serverledge;

internal sealed record DeleteFunctionRequest
{
    public string? Name { get; init; }
}
