using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Fleet.Contracts;
using Fleet.Core.Functions;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary>
/// Fastmap's functions in the core: tenant <c>t</c>'s payload with hash <c>h</c> is function <c>h</c> in namespace
/// <c>fastmap/t</c>, run with the <see cref="CallConventions.FastmapMap"/> convention. Its package, made from the
/// payload's envelope (the pickles inside are never opened here), holds <c>fastmap/func.dill</c>,
/// <c>fastmap/environment.json</c> and each local module under <c>src/</c>.
/// </summary>
internal static partial class FastmapFunctions
{
    public static FunctionRef Ref(string tenant, string funcHash) => new($"fastmap/{tenant}", funcHash);

    public static FunctionRegistration Registration(string tenant, string funcHash, FastmapPayload payload, string? pythonVersion, FastmapOptions options) => new()
    {
        Function = Ref(tenant, funcHash),
        Runtime = Runtimes.Python,
        Convention = CallConventions.FastmapMap,
        Handler = "fastmap",
        MemoryMB = options.FunctionMemoryMB,
        TimeoutSeconds = options.BatchTimeoutSeconds,
        Package = Package(payload, pythonVersion),
    };

    /// <summary>The client's Python as major.minor (the leading version of <c>sys.version</c>), or null when it sent none.</summary>
    public static string? PythonVersion(string? header) =>
        header is not null && LeadingVersion().Match(header) is { Success: true } match ? $"{match.Groups[1].Value}.{match.Groups[2].Value}" : null;

    private static byte[] Package(FastmapPayload payload, string? pythonVersion)
    {
        var modules = payload.LocalSources.Keys.ToList();
        var environment = new FunctionEnvironment(payload.InstalledModules, payload.Requirements, pythonVersion, modules);
        var files = new List<(string, byte[])>
        {
            ("fastmap/func.dill", payload.Function),
            ("fastmap/environment.json", JsonSerializer.SerializeToUtf8Bytes(environment, FastmapJsonContext.Default.FunctionEnvironment)),
        };
        // A module whose name prefixes another's is that package's __init__.
        files.AddRange(payload.LocalSources.Select(module =>
            ($"src/{module.Key.Replace('.', '/')}{(modules.Any(other => other.StartsWith(module.Key + ".", StringComparison.Ordinal)) ? "/__init__.py" : ".py")}",
             Encoding.UTF8.GetBytes(module.Value))));
        return PackageFiles.Of([.. files]);
    }

    [GeneratedRegex(@"^\s*(\d+)\.(\d+)")]
    private static partial Regex LeadingVersion();

    /// <summary><c>fastmap/environment.json</c>: what the executor prepares before it loads the function.</summary>
    internal sealed record FunctionEnvironment(
        IReadOnlyList<string> InstalledMods, IReadOnlyDictionary<string, string> Requirements, string? PythonVersion, IReadOnlyList<string> LocalModules);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FastmapFunctions.FunctionEnvironment))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class FastmapJsonContext : JsonSerializerContext;
