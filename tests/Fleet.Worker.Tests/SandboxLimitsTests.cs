using Fleet.Worker.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>Which limiter the worker picks for the cgroup hierarchies it finds.</summary>
public sealed class SandboxLimitsTests
{
    [Fact]
    public void A_cgroup_v2_hierarchy_is_not_taken_for_v1_controllers_and_gets_no_groups()
    {
        var mount = CgroupV2Mounts().FirstOrDefault();
        Assert.SkipWhen(mount is null, "no cgroup v2 hierarchy is mounted here");
        var existing = SandboxLimits.Controllers.Where(controller => Directory.Exists(Path.Combine(mount, controller))).ToList();
        try
        {
            Assert.Equal(LimiterKind.Rlimit, SandboxLimits.Detect(mount));
            Assert.Equal(existing, SandboxLimits.Controllers.Where(controller => Directory.Exists(Path.Combine(mount, controller))));
        }
        finally
        {
            foreach (var created in SandboxLimits.Controllers.Except(existing).Select(controller => Path.Combine(mount, controller)))
            {
                RemoveGroups(created);
            }
        }
    }

    /// <summary>Mount points of cgroup v2 hierarchies, from /proc/self/mountinfo ("… mount-point options - cgroup2 …").</summary>
    private static IEnumerable<string> CgroupV2Mounts() =>
        File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(" - ", 2))
            .Where(parts => parts.Length == 2 && parts[1].StartsWith("cgroup2 ", StringComparison.Ordinal))
            .Select(parts => parts[0].Split(' ')[4]);

    /// <summary>Groups are removed leaves first, one rmdir each (their control files go with them).</summary>
    private static void RemoveGroups(string group)
    {
        if (!Directory.Exists(group))
        {
            return;
        }

        foreach (var child in Directory.GetDirectories(group))
        {
            RemoveGroups(child);
        }

        Directory.Delete(group);
    }
}
