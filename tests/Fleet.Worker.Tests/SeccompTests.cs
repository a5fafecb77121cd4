using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.Worker.Runtimes;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>The seccomp filter: what it refuses inside the sandbox, what still works there, and the program itself.</summary>
public sealed class SeccompTests : IAsyncLifetime
{
    private const uint Allow = SeccompFilter.ReturnAllow;
    private const uint Eperm = SeccompFilter.ReturnErrno | SeccompFilter.Eperm;
    private const uint Enosys = SeccompFilter.ReturnErrno | SeccompFilter.Enosys;

    private readonly TestPool _pool = new();

    public static TheoryData<uint> Architectures => [SeccompFilter.Arch.X86_64, SeccompFilter.Arch.Aarch64];

    [Fact]
    public async Task Kernel_interfaces_a_function_has_no_use_for_fail_with_the_filters_errno()
    {
        var function = _pool.Deploy(RuntimeNames.Python, "kernel.syscalls", Probes.Python);

        var execution = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(execution);
        var seen = JsonSerializer.Deserialize<Dictionary<string, string>>(execution.Result)!;
        Assert.Equal("ENOSYS", seen["io_uring_setup"]);
        Assert.Equal("ENOSYS", seen["clone3"]);
        Assert.All(
            ["keyctl", "ptrace", "bpf", "perf_event_open", "userfaultfd", "mount", "unshare", "setns", "clone"],
            name => Assert.True(seen[name] == "EPERM", $"{name}: {seen[name]}"));
        if (seen.TryGetValue("x32", out var x32))
        {
            Assert.Equal("ENOSYS", x32);
        }
    }

    [Fact]
    public async Task A_Node_told_to_use_io_uring_falls_back_and_its_file_io_works()
    {
        var function = _pool.Deploy(RuntimeNames.Node, "uring.js", Probes.Node);

        var execution = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal("""{"status":0,"error":"","same":true,"rings":0}""", execution.Result);
    }

    [Fact]
    public async Task Node_WASI_modules_run_under_the_filter()
    {
        var function = _pool.Deploy(RuntimeNames.Node, "wasi.js", Probes.Node);

        var execution = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal("""{"errors":0,"written":3}""", execution.Result);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Each_denied_call_gets_its_errno_and_others_are_allowed(uint arch)
    {
        var program = SeccompFilter.Program();
        var x86 = arch == SeccompFilter.Arch.X86_64;

        foreach (var (name, x86Number, aarch64Number, errno) in SeccompFilter.Denied.Where(rule => (x86 ? rule.X86_64 : rule.Aarch64) >= 0))
        {
            Assert.True(
                SeccompRunner.Run(program, arch, x86 ? x86Number : aarch64Number) == (SeccompFilter.ReturnErrno | (uint)errno), name);
        }

        // read, write, openat, mmap, exit_group
        int[] allowed = x86 ? [0, 1, 257, 9, 231] : [63, 64, 56, 222, 94];
        Assert.All(allowed, number => Assert.Equal(Allow, SeccompRunner.Run(program, arch, number)));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Clone_is_refused_only_with_a_namespace_flag(uint arch)
    {
        var program = SeccompFilter.Program();
        var clone = arch == SeccompFilter.Arch.X86_64 ? SeccompFilter.Clone.X86_64 : SeccompFilter.Clone.Aarch64;
        const ulong Thread = 0x3D0F00; // what glibc's pthread_create passes (VM, FS, FILES, SIGHAND, THREAD, SYSVSEM, SETTLS, tids)
        const ulong Fork = 0x1200011; // CHILD_SETTID | CHILD_CLEARTID | SIGCHLD

        Assert.Equal(Allow, SeccompRunner.Run(program, arch, clone, Thread));
        Assert.Equal(Allow, SeccompRunner.Run(program, arch, clone, Fork));
        ulong[] namespaces = [0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000];
        Assert.All(
            namespaces,
            flag => Assert.Equal(Eperm, SeccompRunner.Run(program, arch, clone, Fork | flag)));
        Assert.Equal(Allow, SeccompRunner.Run(program, arch, clone, 0x10000000UL << 32));
    }

    [Fact]
    public void An_unknown_architecture_is_killed_and_x32_calls_are_refused()
    {
        var program = SeccompFilter.Program();

        Assert.Equal(SeccompFilter.ReturnKillProcess, SeccompRunner.Run(program, 0x40000003, 0)); // i386
        Assert.Equal(SeccompFilter.ReturnKillProcess, SeccompRunner.Run(program, 0xC0000015, 0)); // ppc64le
        Assert.Equal(Enosys, SeccompRunner.Run(program, SeccompFilter.Arch.X86_64, unchecked((int)SeccompFilter.X32SyscallBit) | 39));
        Assert.Equal(Allow, SeccompRunner.Run(program, SeccompFilter.Arch.Aarch64, unchecked((int)SeccompFilter.X32SyscallBit) | 39));
    }

    [Theory]
    [InlineData("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", true)]
    [InlineData("/usr/include/asm-generic/unistd.h", false)]
    public void The_call_numbers_are_the_kernel_headers(string header, bool x86)
    {
        Assert.SkipUnless(File.Exists(header), $"{header} is not installed here (linux-libc-dev)");
        var numbers = Regex.Matches(File.ReadAllText(header), @"^#define __NR_(\w+)\s+(\d+)\s*$", RegexOptions.Multiline)
            .ToDictionary(match => match.Groups[1].Value, match => int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));

        foreach (var (name, x86Number, aarch64Number, _) in SeccompFilter.Denied.Append(("clone", SeccompFilter.Clone.X86_64, SeccompFilter.Clone.Aarch64, 0)))
        {
            var expected = numbers.TryGetValue(name, out var number) ? number : -1;
            var actual = x86 ? x86Number : aarch64Number;
            Assert.True(expected == actual, $"{name}: {expected} in the header, {actual} in the filter");
        }
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}
