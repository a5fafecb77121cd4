using Fleet.Contracts;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>Serverledge runtime names to Fleet's runtimes; <c>custom</c> images run only where a worker has a container engine.</summary>
internal static class RuntimeNames
{
    public static string? Resolve(string? runtime) => runtime?.ToLowerInvariant() switch
    {
        "python" or "python3" => Runtimes.Python,
        { } name when name.StartsWith("python3", StringComparison.Ordinal) => Runtimes.Python,
        "node" or "nodejs" => Runtimes.Node,
        { } name when name.StartsWith("nodejs", StringComparison.Ordinal) => Runtimes.Node,
        "custom" => Runtimes.Custom,
        _ => null,
    };
}
