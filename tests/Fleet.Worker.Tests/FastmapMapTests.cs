using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.HostCalls;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>
/// The fastmap-map convention in the real sandboxed Python executor: packages and batches pickled by dill as Fastmap's
/// client pickles them (FastmapPackages), replies decoded the same way. The gateway's HTTP side is Fleet.Facades.Tests'.
/// </summary>
public sealed class FastmapMapTests : IAsyncDisposable
{
    private const string BatchProcessed = "BATCH_PROCESSED";
    private const string ProcessError = "PROCESS_ERROR";
    private const string InitializationError = "INITIALIZATION_ERROR";

    /// <summary>A __main__ function (pickled by value) whose results mix tuples, None and lists; 13 raises.</summary>
    private const string Mixed = """
        def f(x):
            if x == 13:
                raise ValueError("unlucky %d" % x)
            return (x, None, [x * 2, (str(x),)])
        """;

    private readonly TestPool _pool = new();

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    [Fact]
    public async Task Results_keep_batch_order_and_types_for_list_tuple_and_range_batches()
    {
        var function = await DeployAsync(Request(Mixed));

        var list = await MapAsync(function, "[3, 1, 2]");
        var tuple = await MapAsync(function, "(5,)");
        var range = await MapAsync(function, "range(2)");

        Assert.Equal(BatchProcessed, Status(list));
        Assert.Equal("[(3, None, [6, ('3',)]), (1, None, [2, ('1',)]), (2, None, [4, ('2',)])]", Get(list, "results"));
        Assert.Equal("[(5, None, [10, ('5',)])]", Get(tuple, "results"));
        Assert.Equal("[(0, None, [0, ('0',)]), (1, None, [2, ('1',)])]", Get(range, "results"));
        Assert.Equal("float", Get(list, "map_seconds"));
        Assert.False(list.TryGetProperty("warning", out _), "a warning without requirements");
    }

    [Fact]
    public async Task Local_modules_and_a_package_beside_its_submodule_are_importable()
    {
        var modules = new JsonObject
        {
            ["helper"] = "def inc(x):\n    return x + 1\n",
            ["pkg"] = "BASE = 100\n",
            ["pkg.mod"] = "from pkg import BASE\n\ndef shift(x):\n    return BASE + x\n",
        };
        var byValue = await DeployAsync(Request("import helper\nfrom pkg.mod import shift\n\ndef f(x):\n    return (helper.inc(x), shift(x))\n", modules: modules));
        var byReference = await DeployAsync(Request("", func: "helper.inc", modules: modules.DeepClone().AsObject()));

        Assert.Equal("[(2, 101), (3, 102)]", Get(await MapAsync(byValue, "[1, 2]"), "results"));
        Assert.Equal("[8]", Get(await MapAsync(byReference, "[7]"), "results"));
    }

    [Fact]
    public async Task Modules_that_fail_to_import_are_the_bad_modules_of_a_later_process_error_and_batches_still_run()
    {
        var modules = new JsonObject { ["exits"] = "raise SystemExit(3)\n", ["fails"] = "raise ImportError('no')\n" };
        string[] installed = ["no_such_module", "no_such_module.sub", "json", "fails", "no_such_module"];
        var function = await DeployAsync(Request(Mixed, modules: modules, installedMods: installed));

        var processed = await MapAsync(function, "[1]");
        var failed = await MapAsync(function, "[13]");

        Assert.Equal(BatchProcessed, Status(processed));
        Assert.Equal(ProcessError, Status(failed));
        Assert.Equal(["exits", "fails", "no_such_module", "no_such_module.sub"], failed.GetProperty("bad_modules").EnumerateArray().Select(name => name.GetString()));
    }

    [Fact]
    public async Task A_raising_function_is_a_process_error_with_its_repr_and_traceback_and_the_next_batch_runs()
    {
        var function = await DeployAsync(Request(Mixed));

        var (failed, failedCode) = await MapWithCodeAsync(function, "[1, 13, 2]");
        var (next, nextCode) = await MapWithCodeAsync(function, "[4]");

        Assert.Equal((ProcessError, 1), (Status(failed), failedCode));
        Assert.Equal("ValueError('unlucky 13')", Get(failed, "exception"));
        var traceback = Get(failed, "traceback");
        Assert.StartsWith("Traceback (most recent call last):\n  File \"client.py\", line 3, in f\n", traceback, StringComparison.Ordinal);
        Assert.EndsWith("ValueError: unlucky 13\n", traceback, StringComparison.Ordinal);
        Assert.DoesNotContain("python_executor", traceback, StringComparison.Ordinal);
        Assert.Empty(failed.GetProperty("bad_modules").EnumerateArray());
        Assert.Equal((BatchProcessed, 0, "[(4, None, [8, ('4',)])]"), (Status(next), nextCode, Get(next, "results")));
    }

    [Fact]
    public async Task A_batch_that_is_not_gzip_or_not_a_pickle_is_a_process_error_saying_so()
    {
        var function = await DeployAsync(Request(Mixed));

        var notGzip = await CallAsync(function, "not a batch"u8.ToArray());
        var notPickle = await CallAsync(function, Gzip("not a pickle"u8.ToArray()));
        var next = await MapAsync(function, "[1]");

        foreach (var reply in new[] { notGzip, notPickle })
        {
            Assert.Equal(ProcessError, Status(reply));
            Assert.StartsWith("BatchError(\"the batch could not be loaded: ", Get(reply, "exception"), StringComparison.Ordinal);
        }

        Assert.Contains("BadGzipFile", Get(notGzip, "exception"), StringComparison.Ordinal);
        Assert.Contains("UnpicklingError", Get(notPickle, "exception"), StringComparison.Ordinal);
        Assert.Equal(BatchProcessed, Status(next));
    }

    [Fact]
    public async Task A_function_that_cannot_be_unpickled_is_an_initialization_error_on_every_call()
    {
        // Pickled by reference to a module the client had but the package lacks.
        var unpackaged = new JsonObject { ["elsewhere"] = "def g(x):\n    return x\n" };
        var function = await DeployAsync(Request("", func: "elsewhere.g", unpackaged: unpackaged));

        var (first, firstCode) = await MapWithCodeAsync(function, "[1]");
        var (second, secondCode) = await MapWithCodeAsync(function, "[1]");

        foreach (var (reply, code) in new[] { (first, firstCode), (second, secondCode) })
        {
            Assert.Equal((InitializationError, 1), (Status(reply), code));
            Assert.Equal("ModuleNotFoundError(\"No module named 'elsewhere'\")", Get(reply, "init_error"));
            Assert.StartsWith("Traceback (most recent call last):\n", Get(reply, "init_tb"), StringComparison.Ordinal);
            Assert.EndsWith("ModuleNotFoundError: No module named 'elsewhere'\n", Get(reply, "init_tb"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_function_pickled_by_another_python_is_an_initialization_error_naming_both_versions()
    {
        var request = Request(Mixed);
        request["pythonVersion"] = "3.9";
        var (package, python) = await FastmapPackages.PackageAsync(request);
        var function = Deploy(package);

        var reply = await MapAsync(function, "[1]");

        Assert.Equal(InitializationError, Status(reply));
        Assert.Equal($"InitializationError(\"this function was pickled by Python 3.9; Fleet's workers run Python {python}\")", Get(reply, "init_error"));
        Assert.Equal("", Get(reply, "init_tb"));
    }

    [Fact]
    public async Task Requirements_the_worker_differs_from_are_a_warning_on_every_reply()
    {
        var request = Request(Mixed);
        // dill: the installed version, so it matches and is not named.
        request["requirements"] = new JsonObject { ["no-such-distribution"] = "1.0", ["dill"] = null, ["msgpack"] = "0.0.1" };
        var function = await DeployAsync(request);

        var processed = await MapAsync(function, "[1]");
        var failed = await MapAsync(function, "[13]");

        Assert.Equal((BatchProcessed, ProcessError), (Status(processed), Status(failed)));
        Assert.Matches(
            @"^Fleet's workers differ from your requirements: no-such-distribution 1\.0 requested, not installed; msgpack 0\.0\.1 requested, \d+(\.\d+)+ installed$",
            Get(processed, "warning"));
        Assert.Equal(Get(processed, "warning"), Get(failed, "warning"));
    }

    [Fact]
    public async Task Results_larger_than_the_result_limit_are_a_process_error_naming_both_sizes()
    {
        const int Limit = 64 << 10;
        await using var pool = new TestPool(options => options.MaxResultBytes = Limit);
        // Random bytes do not compress: three of them do not fit.
        var (package, _) = await FastmapPackages.PackageAsync(Request("import os\n\ndef f(x):\n    return os.urandom(30000)\n"));
        var function = Deploy(package, pool);

        var fits = await MapAsync(function, "[1]", pool);
        var (tooLarge, code) = await MapWithCodeAsync(function, "range(3)", pool);
        var after = await MapAsync(function, "[1]", pool);

        Assert.Equal(BatchProcessed, Status(fits));
        Assert.Equal((ProcessError, 1), (Status(tooLarge), code));
        Assert.Matches(@"^ResultError\('the results take \d{5,} bytes, larger than the result limit of 65536 bytes'\)$", Get(tooLarge, "exception"));
        Assert.Equal(BatchProcessed, Status(after));
    }

    [Fact]
    public async Task A_package_without_its_environment_fails_the_instances_start()
    {
        var function = _pool.Deploy(RuntimeNames.Python, "fastmap", new Dictionary<string, string> { ["fastmap/func.dill"] = "x" }) with
        {
            Convention = CallConventions.FastmapMap,
        };

        var execution = await _pool.Pool.InvokeAsync(function, Call("[]"u8.ToArray()), TestContext.Current.CancellationToken);

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Contains("environment.json", execution.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_conventions_do_not_load_dill_or_msgpack()
    {
        var function = _pool.Deploy(RuntimeNames.Python, "main.handler", new Dictionary<string, string>
        {
            ["main.py"] = "import sys\n\ndef handler(params, context):\n    return sorted(m for m in ('dill', 'msgpack') if m in sys.modules)\n",
        });

        var execution = await _pool.InvokeAsync(function);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal("[]", execution.Result);
    }

    private static JsonObject Request(
        string main, string func = "f", JsonObject? modules = null, JsonObject? unpackaged = null, string[]? installedMods = null) => new()
    {
        ["main"] = main,
        ["func"] = func,
        ["modules"] = modules ?? [],
        ["unpackaged"] = unpackaged ?? [],
        ["installedMods"] = new JsonArray([.. (installedMods ?? []).Select(name => JsonValue.Create(name))]),
    };

    private async Task<FunctionSpec> DeployAsync(JsonObject request) => Deploy((await FastmapPackages.PackageAsync(request)).Package);

    private FunctionSpec Deploy(byte[] package, TestPool? pool = null) =>
        (pool ?? _pool).DeployBytes(RuntimeNames.Python, "fastmap", package) with { Convention = CallConventions.FastmapMap };

    private async Task<JsonElement> MapAsync(FunctionSpec function, string batch, TestPool? pool = null) =>
        (await MapWithCodeAsync(function, batch, pool)).Reply;

    private async Task<(JsonElement Reply, int ReturnCode)> MapWithCodeAsync(FunctionSpec function, string batch, TestPool? pool = null)
    {
        var execution = await ExecuteAsync(function, await FastmapPackages.BatchAsync(batch), pool);
        return (await FastmapPackages.DecodeAsync(execution.ResultBytes), execution.ReturnCode);
    }

    private async Task<JsonElement> CallAsync(FunctionSpec function, byte[] input) =>
        await FastmapPackages.DecodeAsync((await ExecuteAsync(function, input, null)).ResultBytes);

    /// <summary>One call; whatever the reply's status, the executor handled it, so the call succeeded.</summary>
    private async Task<Execution> ExecuteAsync(FunctionSpec function, byte[] input, TestPool? pool)
    {
        var execution = await (pool ?? _pool).Pool.InvokeAsync(function, Call(input), TestContext.Current.CancellationToken);
        ExecutorTests.AssertSucceeded(execution);
        return execution;
    }

    private static CallRequest Call(byte[] input) =>
        CallRequest.Bytes(input, returnOutput: false) with { Convention = CallConventions.FastmapMap, HostCalls = UnavailableHostCalls.Instance };

    private static string Status(JsonElement reply) => Get(reply, "status");

    private static string Get(JsonElement reply, string key) =>
        reply.TryGetProperty(key, out var value) ? value.GetString()! : throw new Xunit.Sdk.XunitException($"no {key} in {reply}");

    private static byte[] Gzip(byte[] data)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return stream.ToArray();
    }
}
