using System.Net;
using System.Net.Http.Headers;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.Facades.Tests;

/// <summary>Faasm's WebAssembly functions over the real core in process: uploads, the seed's messages, chained calls, state, files, failures.</summary>
public sealed partial class FaasmWireTests
{
    private const string BadImport = """
        __attribute__((import_module("env"), import_name("__faasm_nope"))) int nope(int);
        int main(void) { return nope(1); }
        """;

    private const string WrongSignature = """
        __attribute__((import_module("env"), import_name("__faasm_read_input"))) int read_input(int, int, int);
        int main(void) { return read_input(0, 0, 0); }
        """;

    private const string Reactor = """
        __attribute__((export_name("work"))) int work(void) { return 0; }
        """;

    private const string StateFromFile = """
        #include <faasm/faasm.h>
        #include <stdio.h>

        int main(void) {
            unsigned long size = faasmWriteStateFromFile("copied", "faasm://shared/data.txt");
            char text[32];
            snprintf(text, sizeof text, "%lu bytes", size);
            faasmSetOutput(text, (long)__builtin_strlen(text));
            return 0;
        }
        """;

    [Fact]
    public async Task A_module_uploads_and_reads_back_and_a_refused_one_says_why_and_leaves_the_one_before()
    {
        var user = Unique("wasm");
        var echo = WasmFunctions.Demo("echo");
        using var upload = await PutBytesAsync($"/f/{user}/echo", echo);
        using var read = await _http.GetAsync($"/f/{user}/echo", TestContext.Current.CancellationToken);
        using var unknown = await _http.GetAsync($"/f/{user}/nothing", TestContext.Current.CancellationToken);
        using var badImport = await PutBytesAsync($"/f/{user}/echo", WasmFunctions.Build(BadImport));
        using var wrongSignature = await PutBytesAsync($"/f/{user}/other", WasmFunctions.Build(WrongSignature));
        using var reactor = await PutBytesAsync($"/f/{user}/other", WasmFunctions.Build(Reactor, ".c", "-mexec-model=reactor"));

        Assert.Equal((HttpStatusCode.OK, "Function upload complete\n"), await ReplyAsync(upload));
        Assert.Equal(echo, await read.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal((HttpStatusCode.BadRequest, "Function upload failed: the module imports env.__faasm_nope, which Fleet does not provide\n"), await ReplyAsync(badImport));
        Assert.Equal(
            (HttpStatusCode.BadRequest, "Function upload failed: the module imports env.__faasm_read_input, which Fleet does not provide with that signature\n"),
            await ReplyAsync(wrongSignature));
        Assert.StartsWith("Function upload failed: the module has no _start function", (await ReplyAsync(reactor)).Item2, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "still here\n"), await PostAsync($$"""{"user": "{{user}}", "function": "echo", "input_data": "still here"}"""));
    }

    [Fact]
    public async Task The_seeds_sync_and_async_echo_runs_as_WebAssembly()
    {
        var user = Unique("demo");
        using (var upload = await PutBytesAsync($"/f/{user}/echo", WasmFunctions.Demo("echo")))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        var sync = await PostAsync($$"""{"user": "{{user}}", "function": "echo", "input_data": "Hello API"}""");
        var (_, id) = await PostAsync($$"""{"user": "{{user}}", "function": "echo", "input_data": "Hello API", "async": true}""");
        var polled = await PollAsync(id);

        Assert.Equal((HttpStatusCode.OK, "Hello API\n"), sync);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS: Hello API"), polled);
    }

    [Fact]
    public async Task Chained_calls_by_pointer_and_by_name_run_through_the_core_also_in_a_module_built_as_upstream_builds_which_reads_back_as_uploaded()
    {
        var user = Unique("chain");
        var upstreamModule = WasmFunctions.BuildAsUpstream(File.ReadAllText(Path.Combine(RepoPaths.Root, "sdk", "faasm", "demo", "chain.cpp")), ".cpp");
        foreach (var (name, module) in new[]
        {
            ("chain", WasmFunctions.Demo("chain")), ("named", WasmFunctions.Demo("chain_named")), ("hello", WasmFunctions.Demo("hello")),
            ("upstream", upstreamModule),
        })
        {
            using var upload = await PutBytesAsync($"/f/{user}/{name}", module);
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        var byPointer = await PostAsync($$"""{"user": "{{user}}", "function": "chain"}""");
        var byName = await PostAsync($$"""{"user": "{{user}}", "function": "named", "input_data": "hello"}""");
        var upstream = await PostAsync($$"""{"user": "{{user}}", "function": "upstream"}""");
        using var uploaded = await _http.GetAsync($"/f/{user}/upstream", TestContext.Current.CancellationToken);
        var missing = await PostAsync($$"""{"user": "{{user}}", "function": "named", "input_data": "nothing"}""");

        Assert.Equal((HttpStatusCode.OK, "chained ok\n"), byPointer);
        Assert.Equal((HttpStatusCode.OK, "hello\n"), byName);
        Assert.Equal((HttpStatusCode.OK, "chained ok\n"), upstream);
        Assert.Equal(upstreamModule, await uploaded.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.InternalServerError, missing.Status);
    }

    [Fact]
    public async Task A_module_reads_and_changes_state_set_with_PUT_and_copies_a_shared_file_into_state()
    {
        var user = Unique("state");
        using (await PutBytesAsync($"/f/{user}/counter", WasmFunctions.Demo("state"))) { }
        using (await PutBytesAsync($"/f/{user}/copy", WasmFunctions.Build(StateFromFile))) { }
        using (await _http.PutAsync($"/s/{user}/counter", new ByteArrayContent(BitConverter.GetBytes(41)), TestContext.Current.CancellationToken)) { }
        using (await SendAsync(HttpMethod.Put, "/file", "shared/data.txt", "file contents")) { }

        var counted = await PostAsync($$"""{"user": "{{user}}", "function": "counter"}""");
        using var counter = await _http.GetAsync($"/s/{user}/counter", TestContext.Current.CancellationToken);
        var copied = await PostAsync($$"""{"user": "{{user}}", "function": "copy"}""");
        using var copy = await _http.GetAsync($"/s/{user}/copied", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.OK, "42\n"), counted);
        Assert.Equal(BitConverter.GetBytes(42), await counter.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal((HttpStatusCode.OK, "13 bytes\n"), copied);
        Assert.Equal((HttpStatusCode.OK, "file contents"), await ReplyAsync(copy));
    }

    private const string ReadsSharedFile = """
        #include <faasm/faasm.h>
        #include <errno.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/stat.h>

        int main(void) {
            char out[256], text[64] = {0};
            FILE* file = fopen("faasm://shared/wasi.txt", "r");
            if (!file) { snprintf(out, sizeof out, "open failed: %s", strerror(errno)); faasmSetOutput(out, strlen(out)); return 1; }
            fseek(file, 0, SEEK_END);
            long size = ftell(file);
            fseek(file, 0, SEEK_SET);
            size_t n = fread(text, 1, sizeof text - 1, file);
            fclose(file);
            struct stat st;
            int statted = stat("faasm://shared/wasi.txt", &st);
            FILE* missing = fopen("faasm://shared/none.txt", "r");
            int missingError = errno;
            FILE* written = fopen("faasm://shared/wasi.txt", "w");
            int writeError = errno;
            snprintf(out, sizeof out, "%s|%ld|%zu|%d %lld|%s %s|%s %s", text, size, n, statted, (long long)st.st_size,
                missing ? "found" : "missing", strerror(missingError), written ? "written" : "refused", strerror(writeError));
            faasmSetOutput(out, strlen(out));
            return 0;
        }
        """;

    [Fact]
    public async Task A_module_reads_a_shared_file_through_WASI_and_cannot_write_it()
    {
        var user = Unique("files");
        using (await PutBytesAsync($"/f/{user}/reader", WasmFunctions.Build(ReadsSharedFile))) { }
        using (await SendAsync(HttpMethod.Put, "/file", "shared/wasi.txt", "file for wasi")) { }

        var read = await PostAsync($$"""{"user": "{{user}}", "function": "reader"}""");

        Assert.Equal((HttpStatusCode.OK, "file for wasi|13|13|0 13|missing No such file or directory|refused Read-only file system\n"), read);
    }

    [Fact]
    public async Task A_failing_or_trapping_module_is_a_500_and_polls_FAILED_with_the_trap()
    {
        var user = Unique("fail");
        using (await PutBytesAsync($"/f/{user}/fail", WasmFunctions.Demo("fail"))) { }
        using (await PutBytesAsync($"/f/{user}/trap", WasmFunctions.Build("int main(void) { __builtin_trap(); }"))) { }

        var failed = await PostAsync($$"""{"user": "{{user}}", "function": "fail"}""");
        var (_, id) = await PostAsync($$"""{"user": "{{user}}", "function": "trap", "async": true}""");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.Status);
        Assert.Equal((HttpStatusCode.InternalServerError, "FAILED: wasm trap: wasm `unreachable` instruction executed"), await PollAsync(id));
    }

    private Task<HttpResponseMessage> PutBytesAsync(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return _http.PutAsync(path, content, TestContext.Current.CancellationToken);
    }
}
