namespace Fleet.WasmExecutor;

/// <summary>
/// Faasm's names for shared files: <c>faasm://path</c>, stored under path; <c>faasm:///path</c>, <c>faasm:/path</c> (a
/// path wasi-libc has normalised) and <c>/path</c> name the same file.
/// </summary>
internal static class SharedFiles
{
    public const string Scheme = "faasm:";

    public static string PathOf(string name)
    {
        var path = name.TrimStart('/');
        return (path.StartsWith(Scheme, StringComparison.Ordinal) ? path[Scheme.Length..] : path).TrimStart('/');
    }
}
