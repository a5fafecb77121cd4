using System.Net;
using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;

// Request bodies are written inline, as a client writes them; each test sends each once.
#pragma warning disable CA1861

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// dcp-rest's API on the distributed fleet, through HTTP as its clients call it: the README's job, open jobs appended
/// to, results by range, cancel, failing and endless work, identities (a keystore written by ethers and one by
/// ethereumjs-wallet, Fleet's own, API keys), another identity's jobs, accounts and malformed requests.
/// </summary>
[Collection(nameof(FleetCollection))]
public sealed class DcpTests(FleetCluster fleet)
{
    private const string Double = "(datum) => { return datum * 2; }";

    /// <summary>Busy for half a second: work that is running when a test acts on its job.</summary>
    private const string Slow = "(datum) => { const end = Date.now() + 500; while (Date.now() < end) {} progress(); return datum; }";

    private readonly DcpApi _dcp = DcpApi.WithFixture(fleet.Gateway);

    [Fact]
    public async Task The_READMEs_job_runs_every_slice_and_its_results_come_back_by_slice_number()
    {
        // The README's body; its account is one of the caller's (the seed's own address is its author's DCP bank account).
        var accounts = await _dcp.JsonAsync(HttpMethod.Get, "accounts", HttpStatusCode.OK);
        var address = accounts[0].GetProperty("address").GetString()!;
        var jobId = await _dcp.DeployAsync(new
        {
            slices = Enumerable.Range(1, 10),
            work = new { language = "js", function = Double },
            account = new { address = address[2..].ToUpperInvariant() },
        });

        Assert.Matches("^0x[0-9a-fA-F]{40}$", jobId);
        var first = await _dcp.StatusAsync(jobId);
        Assert.Equal(10, first.GetProperty("totalSlices").GetInt32());
        var done = await _dcp.SettledAsync(jobId);
        Assert.Equal(("completed", 10, 0), (done.GetProperty("status").GetString(), done.GetProperty("completedSlices").GetInt32(), done.GetProperty("activeSlices").GetInt32()));
        Assert.True(done.GetProperty("totalCPUTime").GetDouble() > 0);
        Assert.Equal(0, done.GetProperty("totalGPUTime").GetInt32());
        Assert.Equal(Enumerable.Range(1, 10).Select(n => (n, $"{n * 2}")), await _dcp.ResultsAsync(jobId));
        var status = await _dcp.JsonAsync(HttpMethod.Get, $"JOB/{jobId.ToLowerInvariant()}/status/", HttpStatusCode.OK);
        Assert.Equal(done.GetRawText(), status.GetRawText());
    }

    [Fact]
    public async Task An_open_job_takes_slices_later_and_results_are_read_by_ranges_and_one_by_one()
    {
        var jobId = await _dcp.DeployAsync(new
        {
            slices = Enumerable.Range(1, 5),
            work = new { function = "async (d, k) => d * k", runtime = new { name = "map-basic", version = "1.0.0" } },
            args = new[] { 3 },
        });
        var appended = await _dcp.JsonAsync(HttpMethod.Post, $"job/{jobId}/slices", HttpStatusCode.Created, new { sliceData = new[] { 100, 200, 300 } });

        Assert.Equal((6, 8, 8), (appended.GetProperty("firstSliceNumber").GetInt32(), appended.GetProperty("lastSliceNumber").GetInt32(), appended.GetProperty("totalSlices").GetInt32()));
        Assert.Equal("completed", (await _dcp.SettledAsync(jobId)).GetProperty("status").GetString());
        Assert.Equal([(1, "3"), (2, "6"), (4, "12")], await _dcp.ResultsAsync(jobId, "?range=1-2&range=4-4"));
        Assert.Equal([(2, "6"), (3, "9"), (6, "300"), (7, "600")], await _dcp.ResultsAsync(jobId, "?range=6-7,2-3&range=3"));
        Assert.Equal([(3, "9")], await _dcp.ResultsAsync(jobId, "/3"));
        Assert.Empty(await _dcp.ResultsAsync(jobId, "/99"));
        await _dcp.JsonAsync(HttpMethod.Get, $"job/{jobId}/result?range=2-1", HttpStatusCode.BadRequest);
        await _dcp.JsonAsync(HttpMethod.Get, $"job/{jobId}/result/x", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_job_deployed_without_slices_runs_and_completes_once_they_come()
    {
        var jobId = await _dcp.DeployAsync(new { work = new { function = "(d) => ({ seen: d })" } });

        var waiting = await _dcp.StatusAsync(jobId);
        Assert.Equal(("running", 0), (waiting.GetProperty("status").GetString(), waiting.GetProperty("totalSlices").GetInt32()));
        await _dcp.JsonAsync(HttpMethod.Post, $"job/{jobId}/slices", HttpStatusCode.Created, rawBody: """["a", {"b": [1, null]}]""");
        Assert.Equal("completed", (await _dcp.SettledAsync(jobId)).GetProperty("status").GetString());
        Assert.Equal([(1, """{"seen":"a"}"""), (2, """{"seen":{"b":[1,null]}}""")], await _dcp.ResultsAsync(jobId));
    }

    [Fact]
    public async Task Python_work_runs_on_the_python_runtime()
    {
        var jobId = await _dcp.DeployAsync(new
        {
            slices = new[] { 1, 2, 3 },
            work = new { function = "def work(datum, k):\n    return {'n': datum * k}\n", runtime = new { name = "pyodide" } },
            args = new[] { 7 },
        });

        Assert.Equal("completed", (await _dcp.SettledAsync(jobId)).GetProperty("status").GetString());
        Assert.Equal([(1, """{"n":7}"""), (2, """{"n":14}"""), (3, """{"n":21}""")], await _dcp.ResultsAsync(jobId));
    }

    [Fact]
    public async Task A_cancelled_job_stops_keeps_its_results_and_refuses_slices()
    {
        var jobId = await _dcp.DeployAsync(new { slices = Enumerable.Range(1, 40), work = new { function = Slow } });
        await WaitForAsync(jobId, status => status.GetProperty("activeSlices").GetInt32() > 0);

        using (var cancelled = await _dcp.SendAsync(HttpMethod.Delete, $"job/{jobId}", new { reason = "enough" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
            Assert.Empty(await cancelled.Content.ReadAsByteArrayAsync());
        }

        var status = await _dcp.StatusAsync(jobId);
        Assert.Equal(("cancelled", 0), (status.GetProperty("status").GetString(), status.GetProperty("activeSlices").GetInt32()));
        var completed = status.GetProperty("completedSlices").GetInt32();
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Equal(completed, (await _dcp.StatusAsync(jobId)).GetProperty("completedSlices").GetInt32());
        Assert.True(completed < 40, "every slice ran");
        Assert.Equal(completed, (await _dcp.ResultsAsync(jobId)).Count);
        var refused = await _dcp.JsonAsync(HttpMethod.Post, $"job/{jobId}/slices", HttpStatusCode.Conflict, new { sliceData = new[] { 1 } });
        Assert.Equal($"Job {jobId} is not open", refused.GetProperty("error").GetString());
        using var again = await _dcp.SendAsync(HttpMethod.Delete, $"job/{jobId}");
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task A_throwing_slice_and_an_endless_one_fail_alone_and_the_job_is_corrupted()
    {
        const string Work = "(d) => { if (d === 2) throw new Error('two is bad'); if (d === 3) { while (true) {} } return d; }";
        var jobId = await _dcp.DeployAsync(new { slices = new[] { 1, 2, 3, 4 }, work = new { function = Work } });

        var status = await _dcp.SettledAsync(jobId, TimeSpan.FromSeconds(120));

        Assert.Equal(("corrupted", 2, 2), (status.GetProperty("status").GetString(), status.GetProperty("completedSlices").GetInt32(), status.GetProperty("failedSlices").GetInt32()));
        var failures = status.GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal([2, 3], failures.Select(f => f.GetProperty("sliceNumber").GetInt32()));
        Assert.Contains("two is bad", failures[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal([(1, "1"), (4, "4")], await _dcp.ResultsAsync(jobId));
    }

    [Fact]
    public async Task Credentials_are_checked_and_another_identitys_jobs_are_not_found()
    {
        var jobId = await _dcp.DeployAsync(new { slices = new[] { 1 }, work = new { function = Double } });
        var keystore = (await File.ReadAllTextAsync(DcpApi.Fixture("ethers-scrypt-n1024.json"), TestContext.Current.CancellationToken)).Trim();

        var none = await new DcpApi(fleet.Gateway, "").JsonAsync(HttpMethod.Get, "jobs", HttpStatusCode.Unauthorized);
        Assert.Equal("Authentication method not provided", none.GetProperty("error").GetString());
        foreach (var wrong in new[] { "Basic !!!", DcpApi.Basic(keystore, "wrong"), DcpApi.Basic("{\"version\":3}", ""), "Bearer 0123.x" })
        {
            var refused = await new DcpApi(fleet.Gateway, wrong).JsonAsync(HttpMethod.Get, $"job/{jobId}", HttpStatusCode.Unauthorized);
            Assert.Equal("Invalid identity keystore or password", refused.GetProperty("error").GetString());
        }

        // The same identity written by another library (pbkdf2) sees the job; Fleet's own identity does not.
        var pbkdf2 = DcpApi.WithFixture(fleet.Gateway, "ethereumjs-wallet-pbkdf2-c4096.json");
        Assert.Equal(1, (await pbkdf2.StatusAsync(jobId)).GetProperty("totalSlices").GetInt32());
        var other = await DcpApi.NewIdentityAsync(fleet.Gateway);
        foreach (var (method, path) in new[] { (HttpMethod.Get, $"job/{jobId}"), (HttpMethod.Get, $"job/{jobId}/result"), (HttpMethod.Delete, $"job/{jobId}"), (HttpMethod.Post, $"job/{jobId}/slices") })
        {
            var hidden = await other.JsonAsync(method, path, HttpStatusCode.NotFound, method == HttpMethod.Post ? new { sliceData = new[] { 1 } } : null);
            Assert.Equal("Job not found", hidden.GetProperty("error").GetString());
        }

        Assert.DoesNotContain(jobId, (await other.JsonAsync(HttpMethod.Get, "jobs", HttpStatusCode.OK)).EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        var listed = await _dcp.JsonAsync(HttpMethod.Get, "jobs", HttpStatusCode.OK);
        Assert.Contains(jobId, listed.EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        Assert.Equal(listed.GetArrayLength(), (await _dcp.JsonAsync(HttpMethod.Get, "jobs/count", HttpStatusCode.OK)).GetProperty("jobCount").GetInt32());

        // Fleet's API keys: Bearer <apiKey>.<password>.
        var key = (await _dcp.JsonAsync(HttpMethod.Post, "keys", HttpStatusCode.Created, new { password = "key-pass" })).GetProperty("apiKey").GetString();
        var bearer = new DcpApi(fleet.Gateway, $"Bearer {key}.key-pass");
        Assert.Equal(1, (await bearer.StatusAsync(jobId)).GetProperty("totalSlices").GetInt32());
        await new DcpApi(fleet.Gateway, $"Bearer {key}.other").JsonAsync(HttpMethod.Get, $"job/{jobId}", HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Accounts_are_the_callers_and_a_deploy_names_one_of_them()
    {
        var accounts = await _dcp.JsonAsync(HttpMethod.Get, "accounts", HttpStatusCode.OK);

        var account = Assert.Single(accounts.EnumerateArray());
        Assert.Equal(("default", DcpApi.FixtureAddress, "0.000000"), (account.GetProperty("name").GetString(), account.GetProperty("address").GetString(), account.GetProperty("balance").GetString()));
        await _dcp.DeployAsync(new { work = new { function = Double }, account = new { address = DcpApi.FixtureAddress.ToLowerInvariant() } });
        await _dcp.DeployAsync(new { work = new { function = Double }, account = new { label = "default" } });
        var unknown = await _dcp.JsonAsync(HttpMethod.Post, "job", HttpStatusCode.BadRequest, new { work = new { function = Double }, account = new { address = "0x94E619279C5780fF20ECe07fAA719e3D66111A88" } });
        Assert.Equal($"Cannot find a matching payment account with identity {DcpApi.FixtureAddress}", unknown.GetProperty("messages")[0].GetString());
    }

    [Fact]
    public async Task Malformed_requests_get_JSON_errors_and_preflights_need_no_credentials()
    {
        foreach (var body in new[]
                 {
                     "not json", "[1]", """{"slices": [1]}""", """{"work": {"function": ""}}""", """{"work": {"function": "(d) => d"}, "slices": 5}""",
                     """{"work": {"function": "(d) => d"}, "packages": ["x"]}""", """{"work": {"function": "(d) => d"}, "webHookUrls": ["http://x"]}""",
                     """{"work": {"function": "(d) => d", "runtime": {"name": "webgpu"}}}""", """{"work": {"function": "(d) => d"}, "args": 3}""",
                 })
        {
            var refused = await _dcp.JsonAsync(HttpMethod.Post, "job", HttpStatusCode.BadRequest, rawBody: body);
            Assert.Equal("Bad Request", refused.GetProperty("error").GetString());
            Assert.NotEmpty(refused.GetProperty("messages")[0].GetString()!);
        }

        var jobId = await _dcp.DeployAsync(new { work = new { function = Double } });
        var notArray = await _dcp.JsonAsync(HttpMethod.Post, $"job/{jobId}/slices", HttpStatusCode.BadRequest, new { sliceData = 5 });
        Assert.Equal("sliceData must be an array", notArray.GetProperty("messages")[0].GetString());
        var unknown = await _dcp.JsonAsync(HttpMethod.Get, "job/0x0000000000000000000000000000000000000001", HttpStatusCode.NotFound);
        Assert.Equal("Job not found", unknown.GetProperty("error").GetString());
        await _dcp.JsonAsync(HttpMethod.Get, "job/nonsense/result", HttpStatusCode.NotFound);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v0/job");
        preflight.Headers.Add("Origin", "http://example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var answer = await fleet.Gateway.SendAsync(preflight, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("DELETE", answer.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        using var denied = await new DcpApi(fleet.Gateway, "").SendAsync(HttpMethod.Get, "jobs");
        Assert.Equal("*", denied.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    private async Task WaitForAsync(string jobId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done(await _dcp.StatusAsync(jobId)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not get there");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
