using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A dcp-rest client as its README writes one: every request under <c>/api/v0</c> with
/// <c>Authorization: Basic base64(JSON.stringify(keystore) + ":" + password)</c>. The default identity is a keystore
/// written by ethers (tests/Fleet.Facades.Tests/Fixtures/dcp, not by Fleet).
/// </summary>
internal sealed class DcpApi(HttpClient http, string authorization)
{
    public const string FixturePassword = "fleet-test";

    /// <summary>The fixtures' identity, as EIP-55 writes it.</summary>
    public const string FixtureAddress = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A";

    public HttpClient Http { get; } = http;

    public string Authorization { get; } = authorization;

    /// <summary>The client of the ethers keystore with a small scrypt N (fast to verify).</summary>
    public static DcpApi WithFixture(HttpClient http, string file = "ethers-scrypt-n1024.json") =>
        new(http, Basic(File.ReadAllText(Fixture(file)).Trim(), FixturePassword));

    public static string Fixture(string file) => Path.Combine(RepoPaths.Root, "tests", "Fleet.Facades.Tests", "Fixtures", "dcp", file);

    public static string Basic(string keystoreJson, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(keystoreJson + ":" + password));

    /// <summary>A new identity Fleet issues (loopback needs no admin token), as a client of its own.</summary>
    public static async Task<DcpApi> NewIdentityAsync(HttpClient http, string password = "other-pass")
    {
        using var issued = await http.PostAsJsonAsync("/api/v0/identity", new { password });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        return new DcpApi(http, Basic(await issued.Content.ReadAsStringAsync(), password));
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? rawBody = null)
    {
        var request = new HttpRequestMessage(method, "/api/v0/" + path.TrimStart('/'));
        request.Headers.TryAddWithoutValidation("Authorization", Authorization);
        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Http.SendAsync(request);
    }

    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, HttpStatusCode expected, object? body = null, string? rawBody = null)
    {
        using var response = await SendAsync(method, path, body, rawBody);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Deploys and answers the job id.</summary>
    public async Task<string> DeployAsync(object body)
    {
        var deployed = await JsonAsync(HttpMethod.Post, "job/", HttpStatusCode.Created, body);
        return deployed.GetProperty("jobId").GetString()!;
    }

    public Task<JsonElement> StatusAsync(string jobId) => JsonAsync(HttpMethod.Get, $"job/{jobId}", HttpStatusCode.OK);

    /// <summary>Polls the job until no slice is pending or active (or it is cancelled); answers its last status.</summary>
    public async Task<JsonElement> SettledAsync(string jobId, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var status = await StatusAsync(jobId);
            if (status.GetProperty("status").GetString() is "completed" or "corrupted" or "cancelled")
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not settle: {status.GetRawText()}");
            await Task.Delay(200);
        }
    }

    /// <summary>The results' (sliceNumber, value as compact JSON) in the reply's order.</summary>
    public async Task<List<(int Slice, string Value)>> ResultsAsync(string jobId, string query = "")
    {
        var reply = await JsonAsync(HttpMethod.Get, $"job/{jobId}/result{query}", HttpStatusCode.OK);
        return [.. reply.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("sliceNumber").GetInt32(), JsonSerializer.Serialize(r.GetProperty("value"))))];
    }
}
