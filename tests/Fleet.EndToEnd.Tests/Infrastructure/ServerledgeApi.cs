using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>What a Serverledge client sends, as its API reference describes it.</summary>
internal sealed class ServerledgeApi(HttpClient http)
{
    public static string UniqueName(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    public Task<HttpResponseMessage> CreateAsync(
        string name, string runtime, string handler, IReadOnlyDictionary<string, string> files, int memoryMB = 128, int? timeout = null,
        double cpuDemand = 1.0) =>
        CreateRawAsync(name, runtime, handler, Tar.Of(files), memoryMB, timeout, cpuDemand);

    public Task<HttpResponseMessage> CreateRawAsync(
        string name, string runtime, string handler, byte[] package, int memoryMB = 128, int? timeout = null, double cpuDemand = 1.0)
    {
        var body = new Dictionary<string, object?>
        {
            ["Name"] = name,
            ["Runtime"] = runtime,
            ["MemoryMB"] = memoryMB,
            ["CPUDemand"] = cpuDemand,
            ["Handler"] = handler,
            ["TarFunctionCode"] = Convert.ToBase64String(package),
        };
        if (timeout is not null)
        {
            body["Timeout"] = timeout;
        }

        return http.PostAsJsonAsync("/create", body);
    }

    /// <summary>A function of Serverledge's custom runtime: an image, no code.</summary>
    public Task<HttpResponseMessage> CreateCustomAsync(string name, string? image, int memoryMB = 128, double cpuDemand = 0.5, int? timeout = null)
    {
        var body = new Dictionary<string, object?> { ["Name"] = name, ["Runtime"] = "custom", ["MemoryMB"] = memoryMB, ["CPUDemand"] = cpuDemand };
        if (image is not null)
        {
            body["CustomImage"] = image;
        }

        if (timeout is not null)
        {
            body["Timeout"] = timeout;
        }

        return http.PostAsJsonAsync("/create", body);
    }

    public async Task CreateOkAsync(string name, string runtime, string handler, IReadOnlyDictionary<string, string> files, int? timeout = null)
    {
        using var response = await CreateAsync(name, runtime, handler, files, timeout: timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public Task<HttpResponseMessage> InvokeAsync(string name, object body, CancellationToken cancellationToken = default) =>
        http.PostAsJsonAsync($"/invoke/{name}", body, cancellationToken);

    /// <summary>A sync call that must succeed; returns the execution report.</summary>
    public async Task<JsonElement> InvokeOkAsync(string name, object body)
    {
        using var response = await InvokeAsync(name, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> InvokeAsyncCallAsync(string name, Dictionary<string, object> parameters)
    {
        using var response = await InvokeAsync(name, new { Params = parameters, Async = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ReqId").GetString()!;
    }

    /// <summary>
    /// Polls as clients do: 404 until the result is there, then 200. With <paramref name="storeMayBeDown"/>, upstream's
    /// answer while results cannot be read (500 <c>Could not retrieve results</c>) is polled again too, as a client
    /// would during a store restart.
    /// </summary>
    public async Task<JsonElement> PollUntilDoneAsync(string requestId, TimeSpan within, bool storeMayBeDown = false)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            using var response = await http.GetAsync($"/poll/{requestId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }

            if (!(storeMayBeDown && response.StatusCode == HttpStatusCode.InternalServerError
                  && await response.Content.ReadAsStringAsync() == "Could not retrieve results"))
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{requestId} not done within {within}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Async calls of a function that doubles its parameter <c>n</c>, for n from <paramref name="from"/> on, in turn.</summary>
    public async Task<List<(string Id, int N)>> SubmitDoublingAsync(string name, int from, int count)
    {
        var calls = new List<(string, int)>();
        for (var n = from; n < from + count; n++)
        {
            calls.Add((await InvokeAsyncCallAsync(name, new() { ["n"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) }), n));
        }

        return calls;
    }

    /// <summary>Every call of <see cref="SubmitDoublingAsync"/> succeeded, with its own right result.</summary>
    public async Task AssertAllDoubledAsync(IEnumerable<(string Id, int N)> calls, TimeSpan within)
    {
        foreach (var (id, n) in calls)
        {
            var report = await PollUntilDoneAsync(id, within);
            Assert.True(report.GetProperty("Success").GetBoolean(), $"{id}: {report.GetRawText()}");
            Assert.Equal((n * 2).ToString(System.Globalization.CultureInfo.InvariantCulture), report.GetProperty("Result").GetString());
        }
    }

    public static JsonElement ResultOf(JsonElement report) => JsonDocument.Parse(report.GetProperty("Result").GetString()!).RootElement;
}
