using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Containers;

namespace Fleet.Testing;

/// <summary>
/// What every test container shares: its image from the environment, fixed host ports on loopback, the labels test.sh
/// sweeps leftovers by, and a bounded start that says why it failed.
/// </summary>
internal static class ContainerSettings
{
    /// <summary>Every test container carries it, valued with the port base (<c>docker ps -aq --filter label=fleet.test-servers=38000</c>).</summary>
    public const string Label = "fleet.test-servers";

    public const string User = "fleet";

    /// <summary>One per test process; the containers listen on loopback only.</summary>
    public static readonly string Password = Guid.NewGuid().ToString("N");

    private const string PortBaseVariable = "FLEET_TEST_PORT_BASE";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    public static string PortBaseLabel => Environment.GetEnvironmentVariable(PortBaseVariable) is { Length: > 0 } value ? value : "none";

    /// <summary>The image named by <paramref name="variable"/>, else <paramref name="fallback"/>.</summary>
    public static string Image(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } image ? image : fallback;

    /// <summary>
    /// The host port for one service: FLEET_TEST_PORT_BASE + <paramref name="offset"/> when the base is set (test.sh's
    /// scheme: one test process at a time), else a port free now. Either way it is bound for the container's whole life,
    /// so a stopped and started container is back on the same address and the services reconnect to it.
    /// </summary>
    public static int HostPort(int offset)
    {
        if (Environment.GetEnvironmentVariable(PortBaseVariable) is { Length: > 0 } value)
        {
            return int.Parse(value, CultureInfo.InvariantCulture) + offset;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Binds every published port to 127.0.0.1 (Docker's default is every interface) and sets the stop signal.</summary>
    public static Action<CreateContainerParameters> Create(string stopSignal) => parameters =>
    {
        parameters.StopSignal = stopSignal;
        foreach (var binding in (parameters.HostConfig?.PortBindings?.Values ?? []).SelectMany(bindings => bindings))
        {
            binding.HostIP = IPAddress.Loopback.ToString();
        }
    };

    /// <summary>Starts (or starts again) <paramref name="container"/> until its wait strategies pass; on failure the error carries its logs.</summary>
    public static async Task StartAsync(IContainer container, string what)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await container.StartAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or DockerApiException or TimeoutException)
        {
            var (stdout, stderr) = container.Id is { Length: > 0 } ? await container.GetLogsAsync() : ("", "");
            throw new InvalidOperationException(
                $"{what} in a container of {container.Image.FullName} did not get ready in {StartTimeout.TotalMinutes} minutes ({exception.Message}); "
                + $"its output:\n{stdout}{stderr}", exception);
        }
    }
}
