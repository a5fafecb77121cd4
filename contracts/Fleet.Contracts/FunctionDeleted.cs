namespace Fleet.Contracts;

/// <summary>Published when a function is deleted: workers drop its idle instances and retire busy ones after their call.</summary>
public sealed record FunctionDeleted
{
    public required string Name { get; init; }

    public required string Generation { get; init; }
}
