using System.Diagnostics;
using System.Globalization;

namespace Fleet.Worker.Runtimes;

/// <summary>One instance's cgroup v1 groups (memory, cpu, pids) under fleet/&lt;worker&gt;/&lt;instance&gt;.</summary>
internal sealed class CgroupSlice
{
    private const long CfsPeriodMicroseconds = 100_000;

    private readonly string[] _directories;

    private CgroupSlice(string[] directories) => _directories = directories;

    /// <summary>The files the launcher writes its own pid into before it execs the sandbox.</summary>
    public IReadOnlyList<string> ProcsFiles => _directories.Select(directory => Path.Combine(directory, "cgroup.procs")).ToArray();

    private string Memory => _directories[0];

    /// <summary>Removes this run's own group folders (fleet/&lt;run&gt;) once its instances' groups are gone.</summary>
    public static void DeleteRunGroups(string runId)
    {
        foreach (var controller in SandboxLimits.Controllers)
        {
            TryRemove(RunGroup(controller, runId));
        }
    }

    /// <summary>The runs with groups on this host, live or not.</summary>
    public static IReadOnlyList<string> Runs() => ChildGroups(controller => Path.Combine(SandboxLimits.CgroupRoot, controller, "fleet"));

    /// <summary>
    /// Removes a run's groups that its process left behind (it was killed before it could), killing whatever still
    /// lives in them first: those sandboxes belong to no worker any more.
    /// </summary>
    public static async Task DeleteRunAsync(string runId)
    {
        foreach (var instance in ChildGroups(controller => RunGroup(controller, runId)))
        {
            await Open(runId, instance).DeleteAsync();
        }

        DeleteRunGroups(runId);
    }

    /// <summary>The groups with the process limit; memory and CPU limits follow with <see cref="Limit"/>.</summary>
    public static CgroupSlice Create(string runId, string instanceId, int maxProcesses)
    {
        var slice = Open(runId, instanceId);
        foreach (var directory in slice._directories)
        {
            Directory.CreateDirectory(directory);
        }

        Write(slice._directories[2], "pids.max", Math.Max(1, maxProcesses).ToString(CultureInfo.InvariantCulture));
        return slice;
    }

    /// <summary>
    /// Sets the memory limit (MemoryMB) and the CPU share (CPUDemand, in cores), before or after the members joined.
    /// Throws <see cref="IOException"/> when the members already use more memory than the new limit.
    /// </summary>
    public void Limit(int memoryMB, double cpuDemand)
    {
        if (memoryMB > 0)
        {
            var bytes = (memoryMB * 1024L * 1024L).ToString(CultureInfo.InvariantCulture);
            // memsw must stay at or above the plain limit: lower it last when shrinking, raise it first when growing.
            Write(Memory, "memory.memsw.limit_in_bytes", "-1", optional: true);
            Write(Memory, "memory.limit_in_bytes", bytes);
            Write(Memory, "memory.memsw.limit_in_bytes", bytes, optional: true);
        }

        if (cpuDemand > 0)
        {
            var quota = Math.Max(1000, (long)Math.Round(cpuDemand * CfsPeriodMicroseconds));
            Write(_directories[1], "cpu.cfs_period_us", CfsPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            Write(_directories[1], "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Whether the kernel killed something in this group for lack of memory.</summary>
    public bool OutOfMemory()
    {
        try
        {
            var line = File.ReadLines(Path.Combine(Memory, "memory.oom_control")).FirstOrDefault(text => text.StartsWith("oom_kill ", StringComparison.Ordinal));
            return line is not null
                ? long.Parse(line.AsSpan("oom_kill ".Length), CultureInfo.InvariantCulture) > 0
                : long.Parse(File.ReadAllText(Path.Combine(Memory, "memory.failcnt")), CultureInfo.InvariantCulture) > 0;
        }
        catch (Exception error) when (error is IOException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Kills whatever still runs in the group (a process that escaped the launcher's tree included).</summary>
    public void KillMembers()
    {
        foreach (var pid in Members())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception error) when (error is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    /// <summary>Removes the groups; a group is busy until the kernel has reaped its last member, so retry briefly.</summary>
    public async Task<bool> DeleteAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_directories.All(TryRemove))
            {
                return true;
            }

            KillMembers();
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        return false;
    }

    /// <summary>The names of the groups below one group of every controller, each name once.</summary>
    private static List<string> ChildGroups(Func<string, string> parentOf) =>
        SandboxLimits.Controllers
            .Select(parentOf)
            .Where(Directory.Exists)
            .SelectMany(Directory.GetDirectories)
            .Select(group => Path.GetFileName(group))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static string RunGroup(string controller, string runId) => Path.Combine(SandboxLimits.CgroupRoot, controller, "fleet", runId);

    private static CgroupSlice Open(string runId, string instanceId) =>
        new(SandboxLimits.Controllers.Select(controller => Path.Combine(RunGroup(controller, runId), instanceId)).ToArray());

    private IEnumerable<int> Members() =>
        _directories.SelectMany(directory =>
        {
            try
            {
                return File.ReadAllLines(Path.Combine(directory, "cgroup.procs"));
            }
            catch (IOException)
            {
                return [];
            }
        }).Select(line => int.Parse(line, CultureInfo.InvariantCulture)).Distinct();

    private static bool TryRemove(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Write(string directory, string file, string value, bool optional = false)
    {
        var path = Path.Combine(directory, file);
        if (!optional || File.Exists(path))
        {
            File.WriteAllText(path, value);
        }
    }
}
