using System.Net;
using System.Text;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Faasm's API on the distributed fleet: the seed's Python snippets run as written against the gateway (only its
/// address changed), state set over HTTP is read and changed by a function, a chained call runs through the
/// scheduler, and a failing function polls as FAILED.
/// </summary>
[Collection(nameof(FleetCollection))]
public sealed class FaasmTests(FleetCluster fleet)
{
    private const string SeedSync = """
        import requests
        endpoint = "http://localhost:8080"
        json_data = {
        "user": "demo",
        "function": "echo",
        "input_data": "Hello API",
        }
        requests.post(endpoint, json=json_data)
        """;

    private const string SeedAsync = """
        import requests
        from time import sleep
        endpoint = "http://localhost:8080"
        invoke_json = {
        "user": "demo",
        "function": "echo",
        "input_data": "Hello API",
        "async": True
        }
        res = requests.post(endpoint, json=invoke_json)
        call_id = res.content.decode()
        print("Async call {}".format(call_id))
        status_json = {
        "id": int(call_id),
        "status": True,
        }
        str_res = ""
        count = 0
        while not str_res.startswith("SUCCESS") and count < 5:
            res = requests.post(endpoint, json=status_json)
            str_res = res.content.decode()
            count+=1
            sleep(0.2)
        """;

    private HttpClient Http => fleet.Gateway;

    [Fact]
    public async Task The_seeds_sync_and_async_snippets_run_as_written_against_demo_echo()
    {
        var file = Path.Combine(Path.GetTempPath(), $"echo-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(file, SampleFunctions.FaasmEcho, TestContext.Current.CancellationToken);
        try
        {
            // The seed's upload line: curl -X PUT <host>:8002/p/<user>/<name> -T <python_file>
            Assert.Equal("Python function upload complete\n", await CurlAsync("-X", "PUT", $"{fleet.GatewayUrl}p/demo/echo", "-T", file));
            Assert.Equal(SampleFunctions.FaasmEcho, await CurlAsync("-X", "GET", $"{fleet.GatewayUrl}p/demo/echo"));
        }
        finally
        {
            File.Delete(file);
        }

        // The seed's lines, then one that shows what they got.
        var sync = await RunPythonAsync(SeedSync + "\nprint(requests.post(endpoint, json=json_data).content.decode(), end='')\n");
        var polled = await RunPythonAsync(SeedAsync + "\nprint(str_res)\n");

        Assert.Equal("Hello API\n", sync);
        var lines = polled.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^Async call [1-9][0-9]*$", lines[0]);
        Assert.Equal("SUCCESS: Hello API", lines[^1]);
    }

    [Fact]
    public async Task The_seeds_snippets_run_as_written_against_demo_echo_uploaded_as_WebAssembly()
    {
        var file = Path.Combine(Path.GetTempPath(), $"echo-{Guid.NewGuid():N}.wasm");
        var module = WasmFunctions.Demo("echo");
        await File.WriteAllBytesAsync(file, module, TestContext.Current.CancellationToken);
        try
        {
            // As the seed uploads a function: curl -X PUT <host>:8002/f/<user>/<name> -T <wasm_file>
            Assert.Equal("Function upload complete\n", await CurlAsync("-X", "PUT", $"{fleet.GatewayUrl}f/demo/echo", "-T", file));
        }
        finally
        {
            File.Delete(file);
        }

        using var read = await Http.GetAsync("/f/demo/echo", TestContext.Current.CancellationToken);
        var sync = await RunPythonAsync(SeedSync + "\nprint(requests.post(endpoint, json=json_data).content.decode(), end='')\n");
        var polled = await RunPythonAsync(SeedAsync + "\nprint(str_res)\n");

        Assert.Equal(module, await read.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Hello API\n", sync);
        Assert.Equal("SUCCESS: Hello API", polled.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public async Task WebAssembly_state_set_with_curl_is_changed_by_a_module_chained_calls_run_through_the_fleet_and_a_failure_polls_FAILED()
    {
        var user = ServerledgeApi.UniqueName("wasm");
        foreach (var demo in new[] { "state", "chain", "chain_named", "hello", "fail" })
        {
            using var upload = await Http.PutAsync($"/f/{user}/{demo}", new ByteArrayContent(WasmFunctions.Demo(demo)), TestContext.Current.CancellationToken);
            Assert.Equal("Function upload complete\n", await upload.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var counter = Path.Combine(Path.GetTempPath(), $"counter-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(counter, BitConverter.GetBytes(6), TestContext.Current.CancellationToken);
        try
        {
            Assert.Equal("State upload complete\n", await CurlAsync("-X", "PUT", $"{fleet.GatewayUrl}s/{user}/counter", "-T", counter));
        }
        finally
        {
            File.Delete(counter);
        }

        var counted = await PostAsync($$"""{"user": "{{user}}", "function": "state"}""");
        using var state = await Http.GetAsync($"/s/{user}/counter", TestContext.Current.CancellationToken);
        var byPointer = await PostAsync($$"""{"user": "{{user}}", "function": "chain"}""");
        var byName = await PostAsync($$"""{"user": "{{user}}", "function": "chain_named", "input_data": "hello"}""");
        var failed = await PostAsync($$"""{"user": "{{user}}", "function": "fail"}""");
        var polled = await RunPythonAsync(SeedAsync.Replace("\"demo\"", $"\"{user}\"", StringComparison.Ordinal).Replace("\"echo\"", "\"fail\"", StringComparison.Ordinal)
            + "\nprint(str_res)\n");

        Assert.Equal((HttpStatusCode.OK, "7\n"), counted);
        Assert.Equal(BitConverter.GetBytes(7), await state.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal((HttpStatusCode.OK, "chained ok\n"), byPointer);
        Assert.Equal((HttpStatusCode.OK, "hello\n"), byName);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.Status);
        Assert.StartsWith("FAILED", polled.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_set_over_HTTP_is_read_and_changed_by_a_function_and_a_chained_call_runs_through_the_fleet()
    {
        var user = ServerledgeApi.UniqueName("faasm");
        await UploadAsync(user, "counter", """
            from pyfaasm.core import chain, await_call, get_state, get_state_size, set_state, write_output

            def bump(data):
                n = int(get_state("count", get_state_size("count")))
                set_state("count", str(n + int(data)).encode())
                return 0

            def faasm_main():
                codes = [await_call(chain(bump, b"10")) for _ in range(2)]
                write_output(get_state("count", get_state_size("count")) + b" " + str(codes).encode())
                return 0
            """);
        // As the seed's curl line sets it.
        Assert.Equal("State upload complete\n", await CurlAsync("-X", "PUT", $"{fleet.GatewayUrl}s/{user}/count", "-d", "1"));

        var (status, body) = await PostAsync($$"""{"user": "{{user}}", "function": "counter"}""");
        using var state = await Http.GetAsync($"/s/{user}/count", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, "21 [0, 0]\n"), (status, body));
        Assert.Equal("21", await state.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_shared_file_uploaded_with_the_seeds_curl_line_is_read_by_a_function_and_cannot_be_written()
    {
        var user = ServerledgeApi.UniqueName("faasm");
        var path = $"data/{user}.txt";
        var file = Path.Combine(Path.GetTempPath(), $"{user}.txt");
        await File.WriteAllTextAsync(file, "shared words", TestContext.Current.CancellationToken);
        try
        {
            // The seed's line: curl -X PUT -H "FilePath: <access_path>" <host>:8002/file -T <file>
            Assert.Equal("Shared file uploaded\n", await CurlAsync("-X", "PUT", "-H", $"FilePath: {path}", $"{fleet.GatewayUrl}file", "-T", file));
        }
        finally
        {
            File.Delete(file);
        }

        await UploadAsync(user, "reader", $$"""
            from pyfaasm.core import write_output

            def faasm_main():
                with open("faasm://{{path}}") as text, open("faasm:///{{path}}", "rb") as raw:
                    words, data = text.read(), raw.read()
                try:
                    open("faasm://{{path}}", "w")
                    written = "written"
                except PermissionError:
                    written = "read-only"
                try:
                    open("faasm://no/such/file")
                    missing = "found"
                except FileNotFoundError:
                    missing = "missing"
                write_output(" ".join([words, str(len(data)), written, missing]))
            """);

        Assert.Equal((HttpStatusCode.OK, "shared words 12 read-only missing\n"), await PostAsync($$"""{"user": "{{user}}", "function": "reader"}"""));
    }

    [Fact]
    public async Task A_failing_function_answers_500_and_polls_as_FAILED_with_its_error()
    {
        var user = ServerledgeApi.UniqueName("faasm");
        await UploadAsync(user, "broken", "def faasm_main():\n    raise RuntimeError('no luck')\n");

        var sync = await PostAsync($$"""{"user": "{{user}}", "function": "broken"}""");
        var (_, id) = await PostAsync($$"""{"user": "{{user}}", "function": "broken", "async": true}""");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        (HttpStatusCode Status, string Body) polled;
        while ((polled = await PostAsync($$"""{"id": {{id}}, "status": true}""")).Body == "RUNNING" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal((HttpStatusCode.InternalServerError, "RuntimeError: no luck\n"), sync);
        Assert.Equal((HttpStatusCode.InternalServerError, "FAILED: RuntimeError: no luck"), polled);
    }

    private async Task UploadAsync(string user, string function, string source)
    {
        using var upload = await Http.PutAsync($"/p/{user}/{function}", new StringContent(source), TestContext.Current.CancellationToken);
        Assert.Equal("Python function upload complete\n", await upload.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string json)
    {
        using var response = await Http.PostAsync("/", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Runs a client script with Debian's Python and requests, its endpoint this fleet's gateway; returns its stdout.</summary>
    private Task<string> RunPythonAsync(string script) =>
        ClientPrograms.RunAsync("/usr/bin/python3", "-c", script.Replace("http://localhost:8080", fleet.GatewayUrl.ToString().TrimEnd('/'), StringComparison.Ordinal));

    /// <summary>curl's output for these arguments (curl sends Expect: 100-continue with -T, as the seed's uploads do).</summary>
    private static Task<string> CurlAsync(params string[] arguments) => ClientPrograms.RunAsync("curl", ["-s", "--fail-with-body", .. arguments]);
}
