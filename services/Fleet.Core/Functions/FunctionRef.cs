namespace Fleet.Core.Functions;

/// <summary>
/// A function's key in the registry: the facade's name space (<c>serverledge</c>; later a Faasm user, a Fastmap tenant,
/// a DCP job) and the name within it, so that the same name in two APIs never meets.
/// </summary>
public sealed record FunctionRef(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
