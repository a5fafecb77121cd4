namespace Fleet.Contracts;

/// <summary>The canonical runtime names workers understand.</summary>
public static class Runtimes
{
    public const string Python = "python";
    public const string Node = "node";

    public static bool IsKnown(string runtime) => runtime is Python or Node;
}
