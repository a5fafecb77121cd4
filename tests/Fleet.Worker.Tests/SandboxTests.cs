using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.Catalog;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>What a function can reach from inside its bubblewrap sandbox and cgroups: as little as possible.</summary>
public sealed class SandboxTests : IAsyncLifetime
{
    private const string NoCgroups = "cgroup v1 memory, cpu and pids groups cannot be created here; instances fall back to rlimits";

    private static readonly string[] SandboxRoot = ["bin", "code", "dev", "etc", "executor", "lib", "lib32", "lib64", "libx32", "proc", "tmp", "usr"];

    /// <summary>Host paths no runtime needs: the host's own tools and settings (npm's included), docs, a package manager, a shell.</summary>
    private static readonly string[] Hidden = ["/usr/local", "/usr/local/etc/npmrc", "/usr/share/doc", "/usr/bin/apt", "/usr/bin/sh", "/usr/sbin", "/sbin"];

    private readonly TestPool _pool = new(options => options.MaxProcesses = 16);

    [Theory]
    [InlineData(RuntimeNames.Python, "probe.network")]
    [InlineData(RuntimeNames.Node, "network.js")]
    public async Task The_network_is_unreachable_even_a_port_listening_on_the_hosts_loopback(string runtime, string handler)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var function = _pool.Deploy(runtime, handler, Probes.For(runtime));

        var execution = await _pool.InvokeAsync(function, $$"""{"port": {{port}}}""");

        ExecutorTests.AssertSucceeded(execution);
        using var seen = JsonDocument.Parse(execution.Result);
        Assert.Equal("ECONNREFUSED", seen.RootElement.GetProperty("host").GetString());
        Assert.Equal("ENETUNREACH", seen.RootElement.GetProperty("internet").GetString());
        Assert.Equal(["lo"], seen.RootElement.GetProperty("interfaces").EnumerateArray().Select(name => name.GetString()));
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task The_host_filesystem_is_out_of_sight_code_and_system_are_read_only_and_tmp_is_private()
    {
        var hostTmp = $"fleet-probe-{Guid.NewGuid():N}";
        var inside = $"fleet-probe-{Guid.NewGuid():N}";
        var hostTmpPath = Path.Combine("/tmp", hostTmp);
        await File.WriteAllTextAsync(hostTmpPath, "host", TestContext.Current.CancellationToken);
        var function = _pool.Deploy(RuntimeNames.Python, "probe.files", Probes.Python);
        var request = JsonSerializer.Serialize(new { hostFile = "/etc/passwd", dataDirectory = _pool.DataDirectory, hostTmp, inside });

        Execution execution;
        try
        {
            execution = await _pool.InvokeAsync(function, request);
        }
        finally
        {
            File.Delete(hostTmpPath);
        }

        ExecutorTests.AssertSucceeded(execution);
        using var seen = JsonDocument.Parse(execution.Result);
        var root = seen.RootElement;
        Assert.Equal(65534, root.GetProperty("uid").GetInt32());
        Assert.Equal("/code", root.GetProperty("cwd").GetString());
        Assert.All(root.GetProperty("top").EnumerateArray(), entry => Assert.Contains(entry.GetString(), SandboxRoot));
        Assert.Equal("ENOENT", root.GetProperty("readHost").GetString());
        Assert.Equal("ENOENT", root.GetProperty("readRoot").GetString());
        Assert.False(root.GetProperty("dataDirectory").GetBoolean());
        Assert.False(root.GetProperty("hostTmp").GetBoolean());
        Assert.True(root.GetProperty("ownTmp").GetBoolean());
        Assert.False(File.Exists(Path.Combine("/tmp", inside)));
        Assert.Equal("EROFS", root.GetProperty("writeUsr").GetString());
        Assert.Equal("EROFS", root.GetProperty("writeCode").GetString());
        Assert.Equal("EROFS", root.GetProperty("writeExecutor").GetString());
        Assert.Equal(["HOME", "LANG", "PATH", "PWD"], root.GetProperty("env").EnumerateArray().Select(name => name.GetString()));
        Assert.InRange(root.GetProperty("processes").GetInt32(), 1, 3);
    }

    [Theory]
    [InlineData(RuntimeNames.Python, "probe.allocate")]
    [InlineData(RuntimeNames.Node, "allocate.js")]
    public async Task Memory_beyond_MemoryMB_ends_the_instance_as_out_of_memory_and_the_next_call_gets_a_fresh_one(string runtime, string handler)
    {
        Assert.SkipUnless(TestPool.HasCgroups, NoCgroups);
        var function = _pool.Deploy(runtime, handler, Probes.For(runtime), memoryMB: 128);

        var within = await _pool.InvokeAsync(function, """{"mb": 32}""");
        var beyond = await _pool.InvokeAsync(function, """{"mb": 512}""");
        var next = await _pool.InvokeAsync(function, """{"mb": 32}""");

        ExecutorTests.AssertSucceeded(within);
        Assert.Equal("32", within.Result);
        Assert.Equal(InvocationStatus.Failed, beyond.Status);
        Assert.Equal("instance exited: out of memory (limit 128 MB)", beyond.Error);
        ExecutorTests.AssertSucceeded(next);
        Assert.False(next.IsWarmStart);
        Assert.Equal("32", next.Result);
    }

    [Fact]
    public async Task Threads_beyond_MaxProcesses_cannot_be_started_and_the_instance_lives_on()
    {
        Assert.SkipUnless(TestPool.HasCgroups, NoCgroups);
        var function = _pool.Deploy(RuntimeNames.Python, "probe.threads", Probes.Python);

        var execution = await _pool.InvokeAsync(function, """{"max": 64}""");
        var next = await _pool.InvokeAsync(function, """{"max": 4}""");

        ExecutorTests.AssertSucceeded(execution);
        using (var seen = JsonDocument.Parse(execution.Result))
        {
            Assert.InRange(seen.RootElement.GetProperty("started").GetInt32(), 1, _pool.Options.MaxProcesses - 1);
            Assert.Equal("can't start new thread", seen.RootElement.GetProperty("error").GetString());
        }

        ExecutorTests.AssertSucceeded(next);
        Assert.True(next.IsWarmStart);
        Assert.Equal("""{"started": 4, "error": null}""", next.Result);
    }

    [Fact]
    public async Task Without_a_memory_cgroup_a_Python_function_is_held_to_MemoryMB_by_its_address_space_limit()
    {
        await using var instance = await StartWithoutCgroupsAsync("probe.allocate", memoryMB: 64);

        var within = await instance.CallAsync("""{"mb": 16}""", returnOutput: false, 10, TestContext.Current.CancellationToken);
        var beyond = await instance.CallAsync("""{"mb": 128}""", returnOutput: false, 10, TestContext.Current.CancellationToken);

        ExecutorTests.AssertSucceeded(within);
        Assert.Equal("16", within.Result);
        Assert.Equal(InvocationStatus.Failed, beyond.Status);
        Assert.Equal("MemoryError", beyond.Error);
    }

    [Theory]
    [InlineData(RuntimeNames.Python, "probe.paths")]
    [InlineData(RuntimeNames.Node, "paths.js")]
    public async Task Only_the_parts_of_usr_the_runtimes_need_are_visible(string runtime, string handler)
    {
        var function = _pool.Deploy(runtime, handler, Probes.For(runtime));
        string[] needed = ["/usr/bin/python3", "/usr/bin/node", "/usr/lib/python3.11/os.py", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"];
        var present = needed.Where(File.Exists).ToList();

        var execution = await _pool.InvokeAsync(function, JsonSerializer.Serialize(new { paths = Hidden.Concat(present) }));

        ExecutorTests.AssertSucceeded(execution);
        var seen = JsonSerializer.Deserialize<Dictionary<string, bool>>(execution.Result)!;
        Assert.All(Hidden, path => Assert.False(seen[path], $"{path} is visible"));
        Assert.All(present, path => Assert.True(seen[path], $"{path} is not visible"));
    }

    [Fact]
    public async Task Debian_python3_packages_are_visible_and_import_outside_the_executors_isolated_path()
    {
        Assert.SkipUnless(
            Directory.Exists("/usr/lib/python3/dist-packages/dill") && Directory.Exists("/usr/lib/python3/dist-packages/msgpack"),
            "python3-dill and python3-msgpack are not installed here");
        var function = _pool.Deploy(RuntimeNames.Python, "probe.packages", Probes.Python);

        var execution = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal("""{"directory": true, "import": "ok"}""", execution.Result);
    }

    [Fact]
    public async Task The_root_and_dev_are_read_only_and_tmp_and_dev_shm_are_as_large_as_MemoryMB()
    {
        var function = _pool.Deploy(RuntimeNames.Python, "probe.scratch", Probes.Python, memoryMB: 64);

        var execution = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(
            """{"writeRoot": "EROFS", "writeDev": "EROFS", "sizes": {"/tmp": 67108864, "/dev/shm": 67108864}, "fill": {}}""",
            execution.Result);
    }

    /// <summary>
    /// With cgroups, the memory limit ends a function that fills /tmp before the size does (tmpfs pages are charged to
    /// the writer's group); without them (the rlimit limiter, forced here) the size is what holds.
    /// </summary>
    [Fact]
    public async Task Without_a_memory_cgroup_writing_past_MemoryMB_in_tmp_or_dev_shm_fails_with_ENOSPC()
    {
        await using var instance = await StartWithoutCgroupsAsync("probe.scratch", memoryMB: 64);

        var execution = await instance.CallAsync("""{"fill": ["/tmp", "/dev/shm"]}""", returnOutput: false, 30, TestContext.Current.CancellationToken);

        ExecutorTests.AssertSucceeded(execution);
        using var seen = JsonDocument.Parse(execution.Result);
        Assert.Equal("""{"/tmp":"ENOSPC","/dev/shm":"ENOSPC"}""", JsonSerializer.Serialize(seen.RootElement.GetProperty("fill")));
    }

    [Theory]
    [InlineData(RuntimeNames.Python, "probe.leave", 3)]
    [InlineData(RuntimeNames.Node, "leave.js", 1)]
    public async Task Processes_a_call_leaves_running_are_ended_before_the_next_call(string runtime, string handler, int leaves)
    {
        var function = _pool.Deploy(runtime, handler, Probes.For(runtime));

        var left = await _pool.InvokeAsync(function, """{"leave": true}""");
        var next = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(left);
        Assert.Equal(leaves, JsonSerializer.Deserialize<string[]>(left.Result)!.Length);
        Assert.Contains("time.sleep(60)", left.Result, StringComparison.Ordinal);
        ExecutorTests.AssertSucceeded(next);
        Assert.True(next.IsWarmStart);
        Assert.Equal("[]", next.Result);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    /// <summary>
    /// An instance of the Python probes limited as on a machine without cgroups (the rlimit limiter), started directly:
    /// the pool takes the limiter this machine has.
    /// </summary>
    private async Task<ExecutorInstance> StartWithoutCgroupsAsync(string handler, int memoryMB)
    {
        var code = Directory.CreateDirectory(Path.Combine(_pool.DataDirectory, "rlimit-code")).FullName;
        foreach (var (name, content) in Probes.Python)
        {
            await File.WriteAllTextAsync(Path.Combine(code, name), content, TestContext.Current.CancellationToken);
        }

        var profile = SandboxProfile.From(_pool.Options, _pool.Pool.RunId, code) with { Limiter = LimiterKind.Rlimit };
        var function = _pool.Deploy(RuntimeNames.Python, handler, Probes.Python, memoryMB);
        return await ExecutorInstance.StartAsync(
            $"rlimit-{Guid.NewGuid():N}", function, CallConventions.JsonHandler, new PythonRuntime(), code, profile, _pool.Time, TestContext.Current.CancellationToken);
    }
}
