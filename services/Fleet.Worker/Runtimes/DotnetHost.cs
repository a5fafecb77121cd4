using System.Runtime.InteropServices;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// The .NET that runs this worker, which runs the WebAssembly executor too: its host (<c>dotnet</c>), its resolver
/// (<c>host/fxr</c>) and this runtime's own directory are what a sandbox sees of it, not the SDKs or other runtimes.
/// </summary>
internal static class DotnetHost
{
    /// <summary>The runtime's directory (shared/Microsoft.NETCore.App/&lt;version&gt;).</summary>
    public static string RuntimeDirectory { get; } = Path.TrimEndingDirectorySeparator(RuntimeEnvironment.GetRuntimeDirectory());

    /// <summary>The installation's root, three levels above the runtime's directory.</summary>
    public static string Root { get; } = Path.GetFullPath(Path.Combine(RuntimeDirectory, "..", "..", ".."));

    public static string Executable { get; } = Path.Combine(Root, "dotnet");

    /// <summary>What of the installation a sandbox binds, read-only.</summary>
    public static IEnumerable<string> Paths => [Executable, Path.Combine(Root, "host", "fxr"), RuntimeDirectory];
}
