using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>The embedded standalone process (in-memory bus, SQLite), with an access token and a small body limit.</summary>
public class StandaloneFleet : IAsyncLifetime
{
    public const string Token = "test-token-not-a-secret";
    public const int MaxBodyBytes = 64 * 1024;

    private readonly string _directory = Path.Combine(RepoPaths.Root, ".fleet", "test", "standalone", Guid.NewGuid().ToString("N")[..8]);
    private ServiceProcess? _process;

    public Uri Url { get; private set; } = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public HttpClient Authorized { get; private set; } = null!;

    /// <summary>The standalone's folder: its database and its worker's data directory ("work").</summary>
    public string Directory => _directory;

    internal ServiceProcess Process => _process!;

    /// <summary>Settings on top of the standalone's defaults, as environment variables.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Facades__Serverledge__AccessToken"] = Token,
        ["Facades__Serverledge__MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async ValueTask InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(_directory);
        Url = new Uri($"http://127.0.0.1:{FreePort()}");
        Anonymous = new HttpClient { BaseAddress = Url };
        Authorized = new HttpClient { BaseAddress = Url };
        Authorized.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        await StartAsync();
    }

    /// <summary>kill -9, then a new process on the same folder and port, once it is ready.</summary>
    public async Task KillAndRestartAsync()
    {
        _process!.Kill();
        await _process.DisposeAsync();
        await StartAsync();
    }

    private async Task StartAsync()
    {
        // Not the facades' own ports (1323, 8002, 1234) unless a test asks: test processes run side by side.
        var settings = new Dictionary<string, string> { ["Facades__Serverledge__Urls"] = "", ["Facades__Faasm__Urls"] = "", ["Facades__Dcp__Urls"] = "" };
        foreach (var (key, value) in Settings.Concat(new Dictionary<string, string>
        {
            ["Urls"] = Url.ToString().TrimEnd('/'),
            ["Store__ConnectionString"] = $"Data Source={Path.Combine(_directory, "fleet.db")}",
            ["Worker__DataDirectory"] = Path.Combine(_directory, "work"),
        }))
        {
            settings[key] = value;
        }

        _process = ServiceProcess.Start("Fleet.Standalone", "standalone", _directory, settings);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var ready = await Anonymous.GetAsync("/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"standalone did not come up: {await File.ReadAllTextAsync(_process.LogPath)}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        Anonymous?.Dispose();
        Authorized?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
