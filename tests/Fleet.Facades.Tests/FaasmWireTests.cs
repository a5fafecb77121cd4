using System.Net;
using System.Text;
using Fleet.EndToEnd.Tests;

namespace Fleet.Facades.Tests;

/// <summary>
/// Faasm's wire (../shared/specs/faasm.md §2, §3.2, §9) over the real core in process: its upload server's texts and
/// codes, state set and read back, the invoke route's errors, with CORS headers on every reply.
/// </summary>
public sealed partial class FaasmWireTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private readonly HttpClient _http = fleet.CreateClient();

    [Fact]
    public async Task Ping_answers_PONG_with_upstreams_CORS_headers_and_OPTIONS_answers_on_any_path()
    {
        using var ping = await _http.GetAsync("/ping", TestContext.Current.CancellationToken);
        using var options = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/s/demo/anything"), TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, "PONG"), (ping.StatusCode, await ping.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.Equal("text/plain", ping.Content.Headers.ContentType!.MediaType);
        Assert.Equal("*", Assert.Single(ping.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("GET,POST,PUT,OPTIONS", Assert.Single(ping.Headers.GetValues("Access-Control-Allow-Methods")));
        Assert.Equal("User-Agent,Content-Type", Assert.Single(ping.Headers.GetValues("Access-Control-Allow-Headers")));
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
    }

    [Fact]
    public async Task A_Python_upload_reads_back_as_it_was_and_replaces_the_one_before()
    {
        var user = Unique("user");
        using var first = await PutAsync($"/p/{user}/echo", "def faasm_main():\n    return 1\n");
        using var second = await PutAsync($"/p/{user}/echo", "def faasm_main():\n    return 0\n");
        using var read = await _http.GetAsync($"/p/{user}/echo", TestContext.Current.CancellationToken);
        using var unknown = await _http.GetAsync($"/p/{user}/nothing", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, "Python function upload complete\n"), await ReplyAsync(first));
        Assert.Equal((HttpStatusCode.OK, "Python function upload complete\n"), await ReplyAsync(second));
        Assert.Equal((HttpStatusCode.OK, "def faasm_main():\n    return 0\n"), await ReplyAsync(read));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task State_set_with_PUT_reads_back_byte_for_byte_and_an_absent_key_is_an_empty_response()
    {
        var user = Unique("user");
        byte[] value = [0, 1, 2, 255, (byte)'s'];
        using var put = await _http.PutAsync($"/s/{user}/k", new ByteArrayContent(value), TestContext.Current.CancellationToken);
        using var empty = await _http.PutAsync($"/s/{user}/k", new ByteArrayContent([]), TestContext.Current.CancellationToken);
        using var read = await _http.GetAsync($"/s/{user}/k", TestContext.Current.CancellationToken);
        using var absent = await _http.GetAsync($"/s/{user}/absent", TestContext.Current.CancellationToken);
        using var otherUser = await _http.GetAsync($"/s/{Unique("other")}/k", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, "State upload complete\n"), await ReplyAsync(put));
        Assert.Equal((HttpStatusCode.OK, "State upload complete\n"), await ReplyAsync(empty));
        Assert.Equal(value, await read.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal((HttpStatusCode.NotFound, "Empty response"), await ReplyAsync(absent));
        Assert.Equal((HttpStatusCode.NotFound, "Empty response"), await ReplyAsync(otherUser));
    }

    [Fact]
    public async Task A_shared_file_goes_up_and_down_by_its_FilePath_header_and_a_Python_upload_is_one_too()
    {
        var path = $"data/{Unique("file")}.txt";
        var user = Unique("user");
        using (await PutAsync($"/p/{user}/echo", "def faasm_main():\n    return 0\n")) { }

        using var noHeader = await PutAsync("/file", "x");
        using var up = await SendAsync(HttpMethod.Put, "/file/local-name.txt", path, "shared bytes");
        using var down = await SendAsync(HttpMethod.Get, "/file", "/" + path);
        using var source = await SendAsync(HttpMethod.Get, "/file/", $"pyfuncs/{user}/echo/function.py");
        using var absent = await SendAsync(HttpMethod.Get, "/file", "no/such/file");

        Assert.Equal((HttpStatusCode.BadRequest, "Bad request, expected file path header FilePath"), await ReplyAsync(noHeader));
        Assert.Equal((HttpStatusCode.OK, "Shared file uploaded\n"), await ReplyAsync(up));
        Assert.Equal((HttpStatusCode.OK, "shared bytes"), await ReplyAsync(down));
        Assert.Equal((HttpStatusCode.OK, "def faasm_main():\n    return 0\n"), await ReplyAsync(source));
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string filePath, string? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body) };
        request.Headers.Add("FilePath", filePath);
        return _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("", 400, "Empty request")]
    [InlineData("{\"user\": ", 400, "Bad JSON in request body")]
    [InlineData("[1]", 400, "Bad JSON in request body")]
    [InlineData("{}", 400, "Empty user")]
    [InlineData("{\"user\": \"demo\"}", 400, "Empty function")]
    [InlineData("{\"user\": \"demo\", \"function\": \"echo\", \"mpi\": true}", 400, "MPI not supported")]
    [InlineData("{\"type\": 1}", 400, "Unsupported message type")]
    [InlineData("{\"type\": 3}", 200, "Flush sent")]
    [InlineData("{\"flush\": true}", 200, "Flush sent")]
    [InlineData("{\"status\": true, \"id\": 42, \"user\": null, \"function\": null}", 404, "FAILED: Unknown call id 42")]
    [InlineData("{\"user\": \"nobody-here\", \"function\": \"nothing\", \"input_data\": \"x\"}", 500, "Function nobody-here/nothing not found\n")]
    public async Task The_invoke_route_answers_bad_messages_as_upstream_does(string body, int status, string reply)
    {
        using var response = await _http.PostAsync("/", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(((HttpStatusCode)status, reply), await ReplyAsync(response));
    }

    [Fact]
    public async Task A_WebAssembly_upload_that_is_not_a_module_is_refused_and_CPythons_wasm_is_accepted_and_ignored()
    {
        using var wasm = await PutAsync("/f/demo/hello", "\0asm");
        using var python = await PutAsync("/f/python/py_func", "\0asm");

        Assert.Equal(
            (HttpStatusCode.BadRequest, "Function upload failed: not a WebAssembly module (a binary module starts with \\0asm and version 1)\n"),
            await ReplyAsync(wasm));
        Assert.Equal((HttpStatusCode.OK, "Function upload complete\n"), await ReplyAsync(python));
    }

    [Fact]
    public async Task The_seeds_sync_and_async_echo_runs_and_polls_are_idempotent()
    {
        var user = Unique("demo");
        using (var upload = await PutAsync($"/p/{user}/echo", SampleFunctions.FaasmEcho))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        var sync = await PostAsync($$"""{"user": "{{user}}", "function": "echo", "input_data": "Hello API"}""");
        var python = await PostAsync($$"""{"user": "python", "function": "py_func", "python": true, "py_user": "{{user}}", "py_func": "echo", "input_data": "x"}""");
        var (_, id) = await PostAsync($$"""{"user": "{{user}}", "function": "echo", "input_data": "Hello API", "async": true}""");
        var polled = await PollAsync(id);
        var again = await PostAsync($$"""{"id": {{id}}, "status": true, "user": null, "function": null}""");

        Assert.Equal((HttpStatusCode.OK, "Hello API\n"), sync);
        Assert.Equal((HttpStatusCode.OK, "x\n"), python);
        Assert.True(int.TryParse(id, out var number) && number > 0, $"the async reply '{id}' is not a positive integer");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS: Hello API"), polled);
        Assert.Equal(polled, again);
    }

    [Fact]
    public async Task A_message_naming_a_py_entry_calls_that_function_with_the_input_and_a_bad_one_fails()
    {
        var user = Unique("demo");
        using (await PutAsync($"/p/{user}/two", "from pyfaasm.core import write_output\n\ndef faasm_main():\n    write_output(b'main')\n\ndef other(data):\n    write_output(b'other:' + data)\n")) { }

        var main = await PostAsync($$"""{"user": "{{user}}", "function": "two", "input_data": "x"}""");
        var other = await PostAsync($$"""{"user": "{{user}}", "function": "two", "input_data": "x", "py_entry": "other"}""");
        var bad = await PostAsync($$"""{"user": "{{user}}", "function": "two", "py_entry": "os.system"}""");

        Assert.Equal((HttpStatusCode.OK, "main\n"), main);
        Assert.Equal((HttpStatusCode.OK, "other:x\n"), other);
        Assert.Equal(HttpStatusCode.InternalServerError, bad.Status);
    }

    [Fact]
    public async Task A_failing_function_is_a_500_and_polls_FAILED_and_state_set_with_PUT_is_what_the_function_reads()
    {
        var user = Unique("demo");
        using (await PutAsync($"/p/{user}/fail", "from pyfaasm.core import set_output\n\ndef faasm_main():\n    set_output(b'bad')\n    return 1\n")) { }
        using (await PutAsync($"/p/{user}/raise", "def faasm_main():\n    raise ValueError('boom')\n")) { }
        using (await PutAsync($"/p/{user}/state", "from pyfaasm.core import get_state_size, get_state, set_state, write_output\n\ndef faasm_main():\n    n = get_state_size('k')\n    write_output(get_state('k', n))\n    set_state('k', b'changed')\n")) { }
        using (await _http.PutAsync($"/s/{user}/k", new StringContent("some state"), TestContext.Current.CancellationToken)) { }

        var failed = await PostAsync($$"""{"user": "{{user}}", "function": "fail"}""");
        var (_, id) = await PostAsync($$"""{"user": "{{user}}", "function": "raise", "async": true}""");
        var raised = await PollAsync(id);
        var state = await PostAsync($$"""{"user": "{{user}}", "function": "state"}""");
        using var changed = await _http.GetAsync($"/s/{user}/k", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.InternalServerError, "bad\n"), failed);
        Assert.Equal(HttpStatusCode.InternalServerError, raised.Status);
        Assert.StartsWith("FAILED: ", raised.Body, StringComparison.Ordinal);
        Assert.Contains("ValueError: boom", raised.Body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "some state\n"), state);
        Assert.Equal((HttpStatusCode.OK, "changed"), await ReplyAsync(changed));
    }

    [Fact]
    public async Task An_async_call_of_an_unknown_function_gets_an_id_whose_poll_is_FAILED()
    {
        var (status, id) = await PostAsync("""{"user": "nobody-here", "function": "nothing", "async": true}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(int.TryParse(id, out _), $"'{id}' is not an id");
        Assert.Equal((HttpStatusCode.InternalServerError, "FAILED: Function nobody-here/nothing not found"), await PollAsync(id));
        Assert.Equal((HttpStatusCode.InternalServerError, "FAILED: Function nobody-here/nothing not found"), await PollAsync(id));
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string body)
    {
        using var response = await _http.PostAsync("/", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        return await ReplyAsync(response);
    }

    /// <summary>As the seed's client polls: until the body no longer says RUNNING.</summary>
    private async Task<(HttpStatusCode Status, string Body)> PollAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var reply = await PostAsync($$"""{"id": {{id}}, "status": true}""");
            if (reply.Body != "RUNNING" || DateTime.UtcNow > deadline)
            {
                return reply;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static string Unique(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    private Task<HttpResponseMessage> PutAsync(string path, string body) =>
        _http.PutAsync(path, new StringContent(body, Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);

    private static async Task<(HttpStatusCode, string)> ReplyAsync(HttpResponseMessage response) =>
        (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
}
