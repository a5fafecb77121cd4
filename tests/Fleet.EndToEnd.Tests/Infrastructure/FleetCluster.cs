using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Fleet.Testing;
using Npgsql;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A distributed fleet on this machine: scheduler, gateway and workers as separate processes, on their own
/// RabbitMQ vhost and PostgreSQL database (both made for this cluster and dropped after it).
/// </summary>
public class FleetCluster : IAsyncLifetime
{
    private readonly List<ServiceProcess> _services = [];
    private readonly Dictionary<int, ServiceProcess> _workers = [];
    private readonly string _id = $"e2e{Guid.NewGuid():N}"[..15];
    private string _runDirectory = "";
    private Dictionary<string, string> _common = [];
    private ITestRabbitMq _rabbitMq = null!;
    private ITestPostgres _postgres = null!;

    public const int WorkerMemoryMB = 2048;

    /// <summary>The cores each worker reports (set, not read from the machine, so the fleet's full count is known).</summary>
    public const double WorkerCpus = 2;

    public HttpClient Gateway { get; private set; } = null!;

    public Uri GatewayUrl { get; private set; } = null!;

    protected virtual int WorkerCount => 2;

    protected virtual int WorkerSlots => 4;

    /// <summary>
    /// How long one call of a job's slices may run. Short, for the endless slice of DCP's tests; a call of many slices
    /// that outlives it on a loaded machine costs each of them an attempt and runs them one by one after.
    /// </summary>
    protected virtual int SliceTimeoutSeconds => 5;

    /// <summary>Extra configuration for every service of this cluster.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    /// <summary>Extra configuration for worker <paramref name="n"/> only.</summary>
    protected virtual IReadOnlyDictionary<string, string> WorkerSettings(int n) => new Dictionary<string, string>();

    /// <summary>The id worker <paramref name="n"/> runs under.</summary>
    internal string WorkerId(int n) => $"{_id}-w{n}";

    internal IReadOnlyDictionary<int, ServiceProcess> Workers => _workers;

    internal ServiceProcess Scheduler { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        _runDirectory = Path.Combine(RepoPaths.Root, ".fleet", "test", "e2e", _id);
        Directory.CreateDirectory(_runDirectory);
        _rabbitMq = await TestServers.RabbitMqAsync();
        _postgres = await TestServers.PostgresAsync();
        var bus = await CreateVirtualHostAsync();
        var store = await CreateDatabaseAsync();
        await SeedAsync(store);
        _common = new Dictionary<string, string>(Settings)
        {
            ["Bus__Transport"] = "rabbitmq",
            ["Bus__Url"] = bus,
            ["Store__Provider"] = "postgres",
            ["Store__ConnectionString"] = store,
            ["DOTNET_ENVIRONMENT"] = "Production",
        };

        StartScheduler();
        for (var n = 1; n <= WorkerCount; n++)
        {
            StartWorker(n);
        }

        var port = FreePort();
        GatewayUrl = new Uri($"http://127.0.0.1:{port}");
        Start("Fleet.Gateway", "gateway", new()
        {
            ["Urls"] = GatewayUrl.ToString().TrimEnd('/'), ["Facades__Serverledge__Urls"] = "", ["Facades__Faasm__Urls"] = "", ["Facades__Dcp__Urls"] = "",
            // Fastmap's timeout scenario waits for it.
            ["Facades__Fastmap__BatchTimeoutSeconds"] = "5",
            ["Core__Jobs__SliceTimeoutSeconds"] = SliceTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Gateway = new HttpClient { BaseAddress = GatewayUrl, Timeout = TimeSpan.FromSeconds(120) };
        await WaitForWorkersAsync(WorkerCount);
    }

    /// <summary>Fills the cluster's new database before any service starts (and migrates it); nothing by default.</summary>
    protected virtual Task SeedAsync(string connectionString) => Task.CompletedTask;

    /// <summary>Starts a scheduler, in place of the one before (which must have exited).</summary>
    public void StartScheduler()
    {
        if (Scheduler is not null)
        {
            _services.Remove(Scheduler);
        }

        Scheduler = Start("Fleet.Scheduler", "scheduler", []);
    }

    /// <summary>Starts worker <paramref name="n"/>, under the id of the one before (which must have exited).</summary>
    public void StartWorker(int n)
    {
        if (_workers.TryGetValue(n, out var before))
        {
            _services.Remove(before);
        }

        _workers[n] = Start("Fleet.Worker", $"worker-{n}", new(WorkerSettings(n))
        {
            ["Worker__WorkerId"] = WorkerId(n),
            ["Worker__DataDirectory"] = Path.Combine(_runDirectory, $"worker-{n}"),
            ["Worker__Slots"] = WorkerSlots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Worker__MemoryBudgetMB"] = WorkerMemoryMB.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Worker__Cpus"] = WorkerCpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Waits until the gateway answers and the scheduler sees exactly this many live workers, no instance holding their memory.</summary>
    public Task WaitForWorkersAsync(int count) =>
        WaitForStatusAsync(status => status.GetProperty("AvailableMemMB").GetInt32() == count * WorkerMemoryMB, $"with {count} idle workers");

    /// <summary>The CPUs the scheduler counts free when every worker is live and no call holds a slot.</summary>
    public double FullCpus => WorkerCount * WorkerCpus;

    /// <summary>Waits until the gateway answers and the scheduler has heard from a worker.</summary>
    public Task WaitForSchedulerAsync() =>
        WaitForStatusAsync(status => status.GetProperty("AvailableMemMB").GetInt32() > 0, "with a scheduler that knows its workers");

    private async Task WaitForStatusAsync(Func<JsonElement, bool> ready, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var status = await Gateway.GetAsync("/status");
                if (status.IsSuccessStatusCode && ready(await status.Content.ReadFromJsonAsync<JsonElement>()))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            ThrowIfAnyExited();
            await Task.Delay(100);
        }

        throw new TimeoutException($"the fleet did not come up {what}; logs in {_runDirectory}");
    }

    public virtual async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        await DropVirtualHostAsync();
        await DropDatabaseAsync();
        RemoveWorkerGroups();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// A worker killed with kill -9 leaves its (empty) cgroups behind, under fleet/&lt;worker id&gt;-&lt;pid&gt;; a later
    /// worker on this host removes them at its start, but none may come after this cluster.
    /// </summary>
    private void RemoveWorkerGroups()
    {
        foreach (var controller in new[] { "memory", "cpu", "pids" })
        {
            var fleet = Path.Combine("/sys/fs/cgroup", controller, "fleet");
            foreach (var runGroup in _workers.Keys.SelectMany(n => Directory.Exists(fleet) ? Directory.GetDirectories(fleet, $"{_id}-w{n}-*") : []))
            {
                try
                {
                    foreach (var group in Directory.GetDirectories(runGroup))
                    {
                        Directory.Delete(group);
                    }

                    Directory.Delete(runGroup);
                }
                catch (IOException)
                {
                    // A group with members left: nothing more to do here.
                }
            }
        }
    }

    private ServiceProcess Start(string service, string name, Dictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>(_common);
        environment["Urls"] = $"http://127.0.0.1:{FreePort()}";
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = ServiceProcess.Start(service, name, _runDirectory, environment);
        _services.Add(process);
        return process;
    }

    private void ThrowIfAnyExited()
    {
        if (_services.FirstOrDefault(s => s.HasExited && (!_workers.ContainsValue(s))) is { } dead)
        {
            throw new InvalidOperationException($"{dead.Name} exited: {File.ReadAllText(dead.LogPath)}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string VirtualHost => _id;

    private HttpClient Management()
    {
        var amqp = _rabbitMq.Amqp;
        var credentials = Uri.UnescapeDataString(amqp.UserInfo);
        var management = _rabbitMq.Management;
        if (management.UserInfo.Length > 0)
        {
            credentials = Uri.UnescapeDataString(management.UserInfo);
        }

        var client = new HttpClient { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority)) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return client;
    }

    private async Task<string> CreateVirtualHostAsync()
    {
        using var management = Management();
        var user = Uri.UnescapeDataString(_rabbitMq.Amqp.UserInfo.Split(':')[0]);
        (await management.PutAsync($"/api/vhosts/{VirtualHost}", null)).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"/api/permissions/{VirtualHost}/{Uri.EscapeDataString(user)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        var amqp = _rabbitMq.Amqp;
        return $"amqp://{amqp.UserInfo}@{amqp.Host}:{amqp.Port}/{VirtualHost}";
    }

    /// <summary>This cluster's queues that nobody consumes, but for the error and skipped queues MassTransit keeps.</summary>
    public async Task<IReadOnlyList<string>> QueuesWithoutConsumersAsync()
    {
        using var management = Management();
        var queues = await management.GetFromJsonAsync<JsonElement>($"/api/queues/{VirtualHost}?columns=name,consumers");
        return
        [
            .. queues.EnumerateArray()
                // A queue the broker is still recovering is listed without its consumer count.
                .Where(q => !q.TryGetProperty("consumers", out var consumers) || consumers.GetInt32() == 0)
                .Select(q => q.GetProperty("name").GetString()!)
                .Where(name => !name.EndsWith("_error", StringComparison.Ordinal) && !name.EndsWith("_skipped", StringComparison.Ordinal)),
        ];
    }

    /// <summary>
    /// Unbinds the scheduler's own queue from its exchange until the returned handle is disposed: every heartbeat and
    /// slot release sent to the scheduler meanwhile is dropped by the broker, as if lost.
    /// </summary>
    public async Task<IAsyncDisposable> CutSchedulerInstanceQueueAsync()
    {
        using var management = Management();
        var queues = await management.GetFromJsonAsync<JsonElement>($"/api/queues/{VirtualHost}?columns=name");
        var queue = queues.EnumerateArray().Select(q => q.GetProperty("name").GetString()!)
            .Single(name => name.StartsWith("fleet-scheduler-", StringComparison.Ordinal) && !name.EndsWith("_error", StringComparison.Ordinal)
                && !name.EndsWith("_skipped", StringComparison.Ordinal));
        var path = $"/api/bindings/{VirtualHost}/e/{queue}/q/{queue}";
        foreach (var binding in (await management.GetFromJsonAsync<JsonElement>(path)).EnumerateArray())
        {
            (await management.DeleteAsync($"{path}/{Uri.EscapeDataString(binding.GetProperty("properties_key").GetString()!)}")).EnsureSuccessStatusCode();
        }

        return new Rebinding(this, path);
    }

    private sealed class Rebinding(FleetCluster cluster, string path) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            using var management = cluster.Management();
            (await management.PostAsJsonAsync(path, new { routing_key = "" })).EnsureSuccessStatusCode();
        }
    }

    private async Task DropVirtualHostAsync()
    {
        using var management = Management();
        await management.DeleteAsync($"/api/vhosts/{VirtualHost}");
    }

    /// <summary>
    /// Ends the sessions that the named service (its application name, e.g. "Fleet.Worker") holds in this cluster's
    /// database, as a database restart would, and returns how many there were.
    /// </summary>
    public async Task<int> DropStoreSessionsAsync(string service)
    {
        const string Sql = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @database AND application_name = @service";
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand(Sql, connection);
        terminate.Parameters.AddWithValue("database", Database);
        terminate.Parameters.AddWithValue("service", service);
        return Convert.ToInt32(await terminate.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Makes this cluster's database refuse every session, new and old, until the returned handle is disposed: to the
    /// services the store is down.
    /// </summary>
    public async Task<IAsyncDisposable> BlockStoreAsync()
    {
        await AdministerAsync($"ALTER DATABASE \"{Database}\" ALLOW_CONNECTIONS false");
        await AdministerAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database}'");
        return new StoreUnblocking(this);
    }

    private sealed class StoreUnblocking(FleetCluster cluster) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await cluster.AdministerAsync($"ALTER DATABASE \"{cluster.Database}\" ALLOW_CONNECTIONS true");
    }

    private async Task AdministerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string Database => $"fleet_{_id}";

    private async Task<string> CreateDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Database}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = Database }.ConnectionString;
    }

    private async Task DropDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
