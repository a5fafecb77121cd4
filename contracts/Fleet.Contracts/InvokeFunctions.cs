namespace Fleet.Contracts;

/// <summary>
/// Gateway → scheduler: async calls accepted together, each already recorded as queued. One message for many calls
/// keeps the broker's and the services' work per call small under load; an idle gateway sends batches of one.
/// </summary>
public sealed record InvokeFunctions
{
    public required IReadOnlyList<InvokeFunction> Calls { get; init; }
}
