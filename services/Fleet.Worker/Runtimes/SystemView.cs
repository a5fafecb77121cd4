using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// The part of the host's system a sandbox sees, read-only: the interpreters, the directories they load code and data
/// from, the shared libraries, and a few /etc files, rather than all of /usr (where /usr/local holds the host's own
/// tools and settings, such as npm's credentials). Found once per worker; what does not exist is skipped.
/// </summary>
internal sealed class SystemView
{
    /// <summary>
    /// The directories the interpreter itself puts on sys.path (run as the executor runs it, isolated and without site),
    /// and Debian's dist-packages, which a function may put on sys.path to use python3-* packages.
    /// </summary>
    private const string PythonPathsScript = """
        import sys, sysconfig
        print(*sys.path, sep="\n")
        if "deb_system" in sysconfig.get_scheme_names():
            print(sysconfig.get_path("purelib", "deb_system"))
        """;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The merged-/usr links, made before the binds so that a bind at, say, /bin/python3 lands in /usr/bin. No sbin:
    /// nothing in it is visible.
    /// </summary>
    private static readonly string[] Links = ["bin", "lib", "lib64"];

    private static readonly string[] EtcFiles = ["/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"];

    /// <summary>What of the host is bound where in the sandbox, in order.</summary>
    private readonly IReadOnlyList<(string Source, string Destination)> _binds;

    private SystemView(IReadOnlyList<(string Source, string Destination)> binds) => _binds = binds;

    /// <summary>No view: instances run without bubblewrap.</summary>
    public static SystemView None { get; } = new([]);

    /// <summary>The bubblewrap arguments: the /bin, /lib and /lib64 links into /usr, the binds, the /etc files.</summary>
    public IEnumerable<string> Arguments =>
        Links.Where(link => Directory.Exists($"/usr/{link}")).SelectMany(link => new[] { "--symlink", $"usr/{link}", $"/{link}" })
            .Concat(_binds.SelectMany(bind => new[] { "--ro-bind-try", bind.Source, bind.Destination }))
            .Concat(EtcFiles.SelectMany(file => new[] { "--ro-bind-try", file, file }));

    /// <summary>The view for the configured interpreters, asking Python once where its library lives.</summary>
    public static SystemView Discover(string pythonPath, string nodePath)
    {
        var (triplet, loader) = Layout();

        // Debian's Node modules, the locale LANG names, and the time zones Python's zoneinfo reads (Node has its own).
        string[] shared = [$"/usr/lib/{triplet}", loader, "/usr/share/nodejs", "/usr/lib/locale/C.utf8", "/usr/share/zoneinfo"];
        var paths = PythonPaths(pythonPath).Concat(shared)
            .Where(path => Directory.Exists(path) || File.Exists(path))
            .Select(Path.GetFullPath)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        List<(string, string)> binds = [.. Interpreter(pythonPath), .. Interpreter(nodePath), .. DotnetHost.Paths.Select(path => (path, path))];
        // One bind is enough for a directory inside another (lib-dynload inside the standard library).
        binds.AddRange(paths.Where(path => !paths.Any(other => Inside(path, other))).Select(path => (path, path)));
        return new SystemView(binds);
    }

    /// <summary>
    /// Debian's multiarch directory name (the shared libraries and the loader's real file) and the path the loader is
    /// found at: /lib64 (a link to usr/lib64) on x86-64, /lib (a link to usr/lib) on aarch64.
    /// </summary>
    private static (string Triplet, string Loader) Layout() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => ("x86_64-linux-gnu", "/usr/lib64"),
        Architecture.Arm64 => ("aarch64-linux-gnu", "/usr/lib/ld-linux-aarch64.so.1"),
        var other => throw new PlatformNotSupportedException($"the sandbox knows neither the system layout nor the seccomp numbers of {other}"),
    };

    /// <summary>The interpreter's real file, at its real path and at the configured one (often a link to it).</summary>
    private static IEnumerable<(string Source, string Destination)> Interpreter(string configured)
    {
        if (!File.Exists(configured))
        {
            return [];
        }

        var real = File.ResolveLinkTarget(configured, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(configured);
        return real == configured ? [(real, real)] : [(real, real), (real, configured)];
    }

    private static List<string> PythonPaths(string pythonPath)
    {
        if (!File.Exists(pythonPath))
        {
            return [];
        }

        var start = new ProcessStartInfo(pythonPath, ["-I", "-S", "-c", PythonPathsScript])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(AskTimeout))
            {
                process.Kill(entireProcessTree: true);
                return [];
            }

            return process.ExitCode == 0
                ? output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(Path.IsPathRooted).ToList()
                : [];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not runnable here: Python instances will say so when they start.
            return [];
        }
    }

    private static bool Inside(string path, string directory) =>
        path.Length > directory.Length && path.StartsWith(directory, StringComparison.Ordinal) && path[directory.Length] == '/';
}
