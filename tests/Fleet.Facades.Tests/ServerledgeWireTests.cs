using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fleet.EndToEnd.Tests;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.Facades.Tests;

/// <summary>
/// The Serverledge wire as its clients read it (status codes, bodies, key names and case, content types), over the
/// real core in process: faster than the end-to-end tests, and below the services' processes and servers.
/// </summary>
public sealed class ServerledgeWireTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private static readonly string[] ReportKeys =
        ["Success", "Result", "ResponseTime", "IsWarmStart", "InitTime", "OffloadLatency", "Duration", "SchedAction", "Output"];

    private readonly HttpClient _http = fleet.CreateClient();

    private ServerledgeApi Api => new(_http);

    [Fact]
    public async Task The_registry_answers_create_list_and_delete_with_upstreams_statuses_and_bodies()
    {
        var name = ServerledgeApi.UniqueName("wire");
        using (var created = await Api.CreateAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            Assert.Equal("application/json", created.Content.Headers.ContentType!.MediaType);
            // Echo's encoder ends every JSON body with a newline; clients that compare bodies see it.
            Assert.Equal($"{{\"Created\":\"{name}\"}}\n", await created.Content.ReadAsStringAsync());
        }

        using (var again = await Api.CreateAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime))
        {
            Assert.Equal((HttpStatusCode.Conflict, ""), (again.StatusCode, await again.Content.ReadAsStringAsync()));
        }

        Assert.Contains(name, (await _http.GetFromJsonAsync<string[]>("/function"))!);
        using (var deleted = await _http.PostAsJsonAsync("/delete", new { Name = name }))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            Assert.Equal($"{{\"Deleted\":\"{name}\"}}\n", await deleted.Content.ReadAsStringAsync());
        }

        using var gone = await _http.PostAsJsonAsync("/delete", new { Name = name });
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain(name, (await _http.GetFromJsonAsync<string[]>("/function"))!);
    }

    [Fact]
    public async Task Sync_and_async_calls_report_in_upstreams_keys_and_a_poll_is_404_until_the_outcome()
    {
        var name = ServerledgeApi.UniqueName("wire");
        await Api.CreateOkAsync(name, "python310", "isprime.handler", SampleFunctions.IsPrime);

        var report = await Api.InvokeOkAsync(name, new { Params = new { n = "17" } });
        Assert.Equal(ReportKeys, report.EnumerateObject().Select(p => p.Name));
        // The result is the handler's return value as Python's json.dumps writes it.
        Assert.Equal("{\"IsPrime\": true}", report.GetProperty("Result").GetString());

        using var unknownPoll = await _http.GetAsync("/poll/nope-1");
        Assert.Equal((HttpStatusCode.NotFound, ""), (unknownPoll.StatusCode, await unknownPoll.Content.ReadAsStringAsync()));
        var id = await Api.InvokeAsyncCallAsync(name, new() { ["n"] = "15" });
        var polled = await Api.PollUntilDoneAsync(id, TimeSpan.FromSeconds(60));
        Assert.Equal(ReportKeys, polled.EnumerateObject().Select(p => p.Name));
        Assert.Equal("{\"IsPrime\": false}", polled.GetProperty("Result").GetString());
    }

    [Fact]
    public async Task Captured_stdout_and_stderr_come_joined_by_a_newline_in_Output_as_upstreams_do()
    {
        var name = ServerledgeApi.UniqueName("wire");
        await Api.CreateOkAsync(name, "python310", "chatty.handler", new Dictionary<string, string>
        {
            ["chatty.py"] = """
                import sys

                def handler(params, context):
                    print("to stdout")
                    print("to stderr", file=sys.stderr)
                    return 1
                """,
        });

        var captured = await Api.InvokeOkAsync(name, new { ReturnOutput = true });
        var quiet = await Api.InvokeOkAsync(name, new { });

        Assert.Equal("to stdout\n\nto stderr\n", captured.GetProperty("Output").GetString());
        Assert.Equal("", quiet.GetProperty("Output").GetString());
    }

    [Fact]
    public async Task Errors_come_in_the_bodies_upstream_gives_them()
    {
        using var unknown = await Api.InvokeAsync(ServerledgeApi.UniqueName("nope"), new { });
        Assert.Equal((HttpStatusCode.NotFound, "Function unknown"), (unknown.StatusCode, await unknown.Content.ReadAsStringAsync()));

        using var runtime = await Api.CreateAsync(ServerledgeApi.UniqueName("rt"), "cobol", "x.y", SampleFunctions.IsPrime);
        Assert.Equal((HttpStatusCode.NotFound, "Invalid runtime."), (runtime.StatusCode, await runtime.Content.ReadAsStringAsync()));

        using var malformed = await _http.PostAsync("/create", new StringContent("{\"Name\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.StartsWith("Bad Request", (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_reports_the_fleet_in_upstreams_keys()
    {
        var status = await _http.GetFromJsonAsync<JsonElement>("/status");

        Assert.Equal(["Url", "AvailableWarmContainers", "AvailableMemMB", "AvailableCPUs", "DropCount", "Coordinates"],
            status.EnumerateObject().Select(p => p.Name));
    }
}
