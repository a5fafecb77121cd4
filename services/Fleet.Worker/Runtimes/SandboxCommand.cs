using System.Diagnostics;
using System.Globalization;
using Fleet.Worker.Runtimes.Catalog;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// The command line of one instance: a tiny sh launcher joins the instance's cgroups (or sets rlimits), moves the
/// protocol pipes to fds 3 and 4 (so user prints never reach them), opens the seccomp program as fd 5, then execs
/// bubblewrap and the executor.
/// </summary>
internal static class SandboxCommand
{
    public const string CodeMount = "/code";
    private const string ExecutorMount = "/executor";

    /// <summary>
    /// Tells an executor it is alone in a pid namespace of its own (bubblewrap's), so that every other process there but
    /// the namespace's init is one a call left behind, to be ended before the next call. Never given outside the sandbox.
    /// </summary>
    private const string OwnPidNamespaceFlag = "--own-pid-namespace";

    /// <summary>
    /// The seccomp program's fd. The launcher opens the file as the worker's user and the fd survives setpriv; bubblewrap
    /// reads the program from it and closes it.
    /// </summary>
    private const string SeccompFd = "5";

    public static ProcessStartInfo Build(
        SandboxProfile profile, IRuntime runtime, int memoryMB, string codeDirectory, IReadOnlyList<string> cgroupProcsFiles)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = profile.Sandbox ? "/" : codeDirectory,
        };
        start.Environment.Clear();
        foreach (var (name, value) in Environment())
        {
            start.Environment[name] = value;
        }

        var arguments = start.ArgumentList;
        arguments.Add("-c");
        arguments.Add(Launcher(AddressSpaceLimit(profile, runtime, memoryMB), profile.Sandbox));
        Add(arguments, "sh", cgroupProcsFiles.Count.ToString(CultureInfo.InvariantCulture));
        Add(arguments, cgroupProcsFiles);
        if (profile.Sandbox)
        {
            arguments.Add(profile.SeccompFile);
            AddSandbox(arguments, profile, codeDirectory, memoryMB);
        }

        Add(arguments, runtime.Command(profile, profile.Sandbox ? ExecutorMount : profile.ExecutorDirectory, memoryMB));
        if (profile.Sandbox)
        {
            arguments.Add(OwnPidNamespaceFlag);
        }

        return start;
    }

    /// <summary>
    /// Joins the cgroups given as arguments, sets rlimits, moves the protocol pipes to fds 3 and 4, opens the seccomp
    /// program (the argument after the cgroups, sandbox only), execs the rest.
    /// </summary>
    private static string Launcher(string addressSpaceLimit, bool seccomp) => $$"""
        n=$1; shift
        while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done
        ulimit -c 0
        {{addressSpaceLimit}}
        exec 3<&0 4>&1 </dev/null >/dev/null
        {{(seccomp ? $"exec {SeccompFd}<\"$1\"; shift" : "")}}
        exec "$@"
        """;

    /// <summary>What the executor is told the code directory is.</summary>
    public static string CodeDirectoryInside(SandboxProfile profile, string codeDirectory) => profile.Sandbox ? CodeMount : codeDirectory;

    private static IEnumerable<(string Name, string Value)> Environment() =>
        [("PATH", "/usr/bin:/bin"), ("HOME", "/tmp"), ("LANG", "C.UTF-8")];

    /// <summary>Its own ulimit: dash takes one limit per call, and refused both with "ulimit -c 0 -v N".</summary>
    private static string AddressSpaceLimit(SandboxProfile profile, IRuntime runtime, int memoryMB) =>
        profile.Limiter == LimiterKind.Rlimit && runtime.LimitsAddressSpace && memoryMB > 0
            ? string.Create(CultureInfo.InvariantCulture, $"ulimit -v {memoryMB * 1024L} || exit 125")
            : "";

    private static void AddSandbox(IList<string> arguments, SandboxProfile profile, string codeDirectory, int memoryMB)
    {
        var id = SandboxProfile.SandboxUserId.ToString(CultureInfo.InvariantCulture);
        if (profile.DropPrivileges)
        {
            Add(arguments, SandboxProfile.SetprivPath, $"--reuid={id}", $"--regid={id}", "--clear-groups", "--");
        }

        Add(arguments, "/usr/bin/bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--uid", id, "--gid", id);
        Add(arguments, "--hostname", "fleet", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv");
        foreach (var (name, value) in Environment())
        {
            Add(arguments, "--setenv", name, value);
        }

        Add(arguments, "--seccomp", SeccompFd);
        Add(arguments, profile.System.Arguments);
        Add(arguments, "--proc", "/proc", "--dev", "/dev");

        // A spare does not know its function yet: the worker's budget bounds its scratch space. tmpfs pages are charged
        // to the memory cgroup of the process that writes them, so with cgroups the limit set at the claim bounds what it
        // can really use (and a function's own limit ends it before these sizes do); under rlimits only the sizes hold.
        var scratch = ((memoryMB > 0 ? memoryMB : profile.MemoryBudgetMB) * 1024L * 1024L).ToString(CultureInfo.InvariantCulture);
        Add(arguments, "--size", scratch, "--tmpfs", "/tmp", "--size", scratch, "--tmpfs", "/dev/shm");
        Add(arguments, "--ro-bind", codeDirectory, CodeMount, "--ro-bind", profile.ExecutorDirectory, ExecutorMount);

        // After every mount: the root (with the mount points made for the binds) and /dev's own tmpfs become read-only;
        // /tmp and /dev/shm, mounts of their own, stay writable.
        Add(arguments, "--remount-ro", "/", "--remount-ro", "/dev", "--chdir", CodeMount, "--");
    }

    private static void Add(IList<string> arguments, params IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            arguments.Add(value);
        }
    }
}
