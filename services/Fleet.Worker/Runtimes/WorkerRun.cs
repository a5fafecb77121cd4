using System.Globalization;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// One run of a worker process, named after its worker id and process id: its cgroup parent (fleet/&lt;run&gt;) and its
/// folder under {DataDirectory}/runs/&lt;run&gt; (unpacked packages, spares' code) belong to it alone, so two workers or
/// standalones of the same id on one host (or sharing a data directory) never touch each other's groups or files. What
/// a run leaves behind when it is killed is removed by the next run that starts on the host.
/// </summary>
internal static class WorkerRun
{
    private const string RunsFolder = "runs";

    /// <summary>"&lt;worker id&gt;-&lt;pid&gt;", with the id reduced to characters safe in paths and group names.</summary>
    public static string Name(string workerId)
    {
        var id = string.IsNullOrWhiteSpace(workerId) ? "worker" : workerId;
        var safe = new string(id.Select(character => char.IsAsciiLetterOrDigit(character) || character is '-' or '_' or '.' ? character : '_').ToArray());
        return $"{safe}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
    }

    public static string Directory(string dataDirectory, string run) => Path.GetFullPath(Path.Combine(dataDirectory, RunsFolder, run));

    /// <summary>
    /// Whether a run other than <paramref name="current"/> has ended: its process is gone. (A leftover of the current
    /// name, as a container's worker is pid 1 at every start, is the pool's to remove before it starts anything.)
    /// </summary>
    public static bool HasEnded(string run, string current)
    {
        if (run == current)
        {
            return false;
        }

        var dash = run.LastIndexOf('-');
        if (dash < 0 || !int.TryParse(run.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        return !System.IO.Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Deletes the folders of ended runs under the data directory; a folder that cannot be deleted is left for the next start.</summary>
    public static void DeleteEndedDirectories(string dataDirectory, string current, CancellationToken cancellationToken)
    {
        var runs = Path.Combine(dataDirectory, RunsFolder);
        foreach (var run in System.IO.Directory.Exists(runs) ? System.IO.Directory.GetDirectories(runs) : [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (HasEnded(Path.GetFileName(run), current))
            {
                CodeTree.Delete(run);
            }
        }
    }
}
