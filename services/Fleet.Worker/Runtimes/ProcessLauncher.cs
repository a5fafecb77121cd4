using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// Starts executor processes from one thread that lives as long as the worker. bwrap's --die-with-parent
/// (PR_SET_PDEATHSIG) fires when the thread that forked the sandbox exits, not only the process: started from a
/// thread-pool thread, an instance was killed (SIGKILL, mid-call) whenever the pool retired that thread.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Pending = [];

    static ProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Fleet executor launcher" };
        thread.Start();
    }

    /// <summary>Starts the process on the launcher thread; throws what <see cref="Process.Start()"/> threw.</summary>
    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Pending.Add((process, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (process, started) in Pending.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
#pragma warning disable CA1031 // The failure belongs to the caller; the launcher must go on for the next.
            catch (Exception error)
#pragma warning restore CA1031
            {
                started.SetException(error);
            }
        }
    }
}
