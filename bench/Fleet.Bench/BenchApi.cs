using System.Formats.Tar;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Fleet.Bench;

internal sealed class BenchApi(HttpClient http)
{
    public async Task CreateAsync(string name, string runtime, string handler, string file, string code)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, file) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(code)) });
        }

        using var response = await http.PostAsJsonAsync("/create", new
        {
            Name = name,
            Runtime = runtime,
            MemoryMB = 64,
            Handler = handler,
            TarFunctionCode = Convert.ToBase64String(tar.ToArray()),
        });
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> InvokeAsync(string name)
    {
        using var response = await http.PostAsJsonAsync($"/invoke/{name}", new { Params = new { x = "1" } });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> SubmitAsync(string name)
    {
        using var response = await http.PostAsJsonAsync($"/invoke/{name}", new { Params = new { x = "1" }, Async = true });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ReqId").GetString()!;
    }

    /// <summary>Polls until the call's outcome is there, and returns it.</summary>
    public async Task<JsonElement> WaitDoneAsync(string id, TimeSpan? pollInterval = null)
    {
        while (true)
        {
            using var response = await http.GetAsync($"/poll/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }

            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(5));
        }
    }
}
