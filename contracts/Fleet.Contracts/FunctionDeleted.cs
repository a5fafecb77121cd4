namespace Fleet.Contracts;

/// <summary>Published when a function is deleted: workers drop its idle instances and retire busy ones after their call.</summary>
public sealed record FunctionDeleted
{
    /// <summary>The function's namespace; messages sent before namespaces existed name Serverledge's.</summary>
    public string Namespace { get; init; } = FunctionNamespaces.Serverledge;

    public required string Name { get; init; }

    public required string Generation { get; init; }
}
