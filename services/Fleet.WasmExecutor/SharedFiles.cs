namespace Fleet.WasmExecutor;

/// <summary>Faasm's names for shared files: <c>faasm://path</c> (or <c>faasm:///path</c>), stored under path.</summary>
internal static class SharedFiles
{
    public const string Prefix = "faasm://";

    public static string PathOf(string name) => (name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name).TrimStart('/');
}
