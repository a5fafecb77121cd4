using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The repository's docker-compose.yml, built and run on the Docker engine the test command started: RabbitMQ,
/// PostgreSQL, the gateway, the scheduler and two workers, as project <see cref="Project"/>, published on loopback ports
/// from <c>FLEET_TEST_PORT_BASE</c> + 1000. The base images are the compose file's variables, which test.sh sets to
/// infra/docker/local-images.sh's stand-ins; without them the official images are used. <c>down -v</c> at the end, pass
/// or fail, leaves no container, network or volume of the project.
/// </summary>
public sealed class ComposeDeployment : IAsyncLifetime
{
    public const string Project = "fleet-compose-test";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);

    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly string _rabbitMqPassword = Secret();
    private readonly int _portBase = int.Parse(Environment.GetEnvironmentVariable("FLEET_TEST_PORT_BASE") ?? "26000", CultureInfo.InvariantCulture) + 1000;

    /// <summary>The Serverledge API (port 1323 in the gateway container).</summary>
    public HttpClient Serverledge { get; } = new() { Timeout = TimeSpan.FromSeconds(100) };

    /// <summary>RabbitMQ's management API, with the deployment's own credentials.</summary>
    public HttpClient Management { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>What <c>up</c> took, from the start of the build to a gateway that is ready.</summary>
    public TimeSpan StartUp { get; private set; }

    public async ValueTask InitializeAsync()
    {
        _environment["FLEET_RABBITMQ_PASSWORD"] = _rabbitMqPassword;
        _environment["FLEET_POSTGRES_PASSWORD"] = Secret();
        _environment["FLEET_SECRETS_KEY"] = Secret();
        _environment["FLEET_FASTMAP_ADMIN_TOKEN"] = Secret();
        _environment["FLEET_GATEWAY_ADDRESS"] = "127.0.0.1";
        string[] ports = ["HTTP:80", "SERVERLEDGE:323", "FAASM:2", "DCP:234", "RABBITMQ:672", "RABBITMQ_MANAGEMENT:674", "POSTGRES:432"];
        foreach (var port in ports)
        {
            var (name, offset) = (port.Split(':')[0], int.Parse(port.Split(':')[1], CultureInfo.InvariantCulture));
            _environment[$"FLEET_{name}_PORT"] = (_portBase + offset).ToString(CultureInfo.InvariantCulture);
        }

        Serverledge.BaseAddress = new Uri($"http://127.0.0.1:{_portBase + 323}");
        Management.BaseAddress = new Uri($"http://127.0.0.1:{_portBase + 674}/");
        Management.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"fleet:{_rabbitMqPassword}")));

        // A run killed before its own clean-up leaves the project behind: start afresh.
        await ComposeAsync(TimeSpan.FromMinutes(2), "down", "-v", "--remove-orphans", "--timeout", "5");
        var started = Stopwatch.StartNew();
        await ComposeAsync(BuildTimeout, "up", "-d", "--build", "--scale", "worker=2");
        await WaitForWorkersAsync(2, TimeSpan.FromMinutes(3));
        StartUp = started.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ComposeAsync(TimeSpan.FromMinutes(3), "down", "-v", "--remove-orphans", "--timeout", "10");
        }
        finally
        {
            Serverledge.Dispose();
            Management.Dispose();
        }
    }

    /// <summary>Runs docker-compose on this deployment; throws with its output when it fails.</summary>
    public async Task<string> ComposeAsync(TimeSpan timeout, params string[] arguments)
    {
        string[] files = ["-p", Project, "-f", "docker-compose.yml", "-f", Path.Combine("infra", "docker", "compose.local.yml")];
        return await RunAsync(Environment.GetEnvironmentVariable("FLEET_TEST_COMPOSE") ?? "docker-compose", [.. files, .. arguments], timeout);
    }

    /// <summary>The ids of the running worker containers.</summary>
    public async Task<IReadOnlyList<string>> WorkerContainersAsync() =>
        (await ComposeAsync(TimeSpan.FromMinutes(1), "ps", "-q", "worker"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public Task<string> DockerAsync(params string[] arguments) => RunAsync("docker", arguments, TimeSpan.FromMinutes(2));

    /// <summary>The queues RabbitMQ's management API lists.</summary>
    public async Task<IReadOnlyList<QueueStats>> QueuesAsync()
    {
        using var document = JsonDocument.Parse(await Management.GetStringAsync("api/queues"));
        return document.RootElement.EnumerateArray().Select(queue => new QueueStats(
                queue.GetProperty("name").GetString()!,
                // Fields are missing until the broker's first statistics sample of a queue.
                queue.TryGetProperty("consumers", out var consumers) ? consumers.GetInt32() : 0,
                queue.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("deliver_get", out var delivered) ? delivered.GetInt64() : 0))
            .ToList();
    }

    /// <summary>
    /// The work queue of the worker running in a container: its id is the container's host name and a suffix, new at
    /// each start, so a restarted container's earlier queue, now without consumers, is not it.
    /// </summary>
    public static QueueStats? WorkQueueOf(string containerId, IEnumerable<QueueStats> queues) =>
        queues.SingleOrDefault(queue => queue.Name.StartsWith($"fleet-worker-{containerId[..12]}-", StringComparison.Ordinal)
                                        && !queue.Name.EndsWith("-control", StringComparison.Ordinal) && queue.Consumers > 0);

    /// <summary>Until the gateway is ready and <paramref name="count"/> workers have their queues.</summary>
    public async Task WaitForWorkersAsync(int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var problem = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var ready = await Serverledge.GetAsync(new Uri($"http://127.0.0.1:{_portBase + 80}/health/ready"));
                var containers = await WorkerContainersAsync();
                var queues = await QueuesAsync();
                var withQueues = containers.Count(container => WorkQueueOf(container, queues) is not null);
                if (ready.StatusCode == HttpStatusCode.OK && withQueues >= count)
                {
                    return;
                }

                problem = $"gateway {(int)ready.StatusCode}, {withQueues} of {containers.Count} workers with queues";
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException)
            {
                problem = error.Message;
            }

            await Task.Delay(1000);
        }

        throw new TimeoutException($"the deployment was not ready with {count} workers within {within}: {problem}\n"
                                   + await ComposeAsync(TimeSpan.FromMinutes(1), "logs", "--tail", "30"));
    }

    private async Task<string> RunAsync(string command, string[] arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(command, arguments)
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in _environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', arguments)} did not end within {timeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await output}\n{await error}");
        }

        return await output;
    }

    /// <summary>Letters and digits only: the passwords go unescaped into an AMQP URL and a connection string.</summary>
    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}

/// <summary>A queue as RabbitMQ's management API reports it: its consumers and the messages it has delivered.</summary>
public sealed record QueueStats(string Name, int Consumers, long Delivered);
