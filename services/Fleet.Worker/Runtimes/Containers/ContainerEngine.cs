using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Worker.Runtimes.Containers;

/// <summary>
/// The Docker engine custom images run on, when the worker has one: pinged once at start-up (a worker whose engine
/// does not answer offers no custom runtime), and cleared then of the containers an earlier run of this worker left.
/// Every container it makes is labelled with the worker's id, which is how they are found again.
/// </summary>
internal sealed class ContainerEngine : IDisposable
{
    public const string WorkerLabel = "fleet.worker";
    public const string InstanceLabel = "fleet.instance";

    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    private readonly DockerClient? _client;
    private readonly ILogger<ContainerEngine> _logger;

    public ContainerEngine(IOptions<WorkerOptions> options, WorkerIdentity identity, ILogger<ContainerEngine> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(identity);
        _logger = logger;
        WorkerId = identity.Id;
        var endpoint = options.Value.DockerEndpoint;
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            logger.EngineDisabled();
            return;
        }

        var client = new DockerClientConfiguration(new Uri(endpoint), defaultTimeout: TimeSpan.FromSeconds(30)).CreateClient();
        try
        {
            // A constructor (the pool's, which needs the answer) cannot await; this runs once, at start-up.
            using var timeout = new CancellationTokenSource(PingTimeout);
            client.System.PingAsync(timeout.Token).GetAwaiter().GetResult();
            _client = client;
            RemoveContainersAsync(CancellationToken.None).GetAwaiter().GetResult();
            logger.EngineFound(endpoint);
        }
        catch (Exception error) when (error is DockerApiException or HttpRequestException or IOException or OperationCanceledException
            or System.Net.Sockets.SocketException or TimeoutException)
        {
            client.Dispose();
            _client = null;
            var reason = error.GetType().Name;
            logger.EngineUnavailable(endpoint, reason);
        }
    }

    /// <summary>Whether custom images can run here.</summary>
    public bool IsAvailable => _client is not null;

    /// <summary>The worker whose containers these are (their <see cref="WorkerLabel"/>).</summary>
    public string WorkerId { get; }

    /// <summary>The engine's client; only when <see cref="IsAvailable"/>.</summary>
    public IDockerClient Client => _client ?? throw new InvalidOperationException("no container engine");

    /// <summary>Removes every container of this worker: at start-up what an earlier run left, at shutdown what remains.</summary>
    public async Task RemoveContainersAsync(CancellationToken cancellationToken)
    {
        if (_client is null)
        {
            return;
        }

        var filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [$"{WorkerLabel}={WorkerId}"] = true },
        };
        try
        {
            var containers = await _client.Containers.ListContainersAsync(
                new ContainersListParameters { All = true, Filters = filters }, cancellationToken);
            foreach (var container in containers)
            {
                await RemoveAsync(container.ID, cancellationToken);
            }

            if (containers.Count > 0)
            {
                _logger.ContainersRemoved(containers.Count);
            }
        }
        catch (Exception error) when (error is DockerApiException or HttpRequestException or IOException)
        {
            var reason = error.GetType().Name;
            _logger.ContainersNotRemoved(reason);
        }
    }

    /// <summary>Kills and removes one container; true when it is gone (or was already).</summary>
    public async Task<bool> RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await Client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, cancellationToken);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return true;
        }
        catch (DockerApiException error) when (error.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Already being removed.
            return true;
        }
        catch (Exception error) when (error is DockerApiException or HttpRequestException or IOException)
        {
            return false;
        }
    }

    public void Dispose() => _client?.Dispose();
}
