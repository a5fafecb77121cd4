using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fleet.Worker.Runtimes.Containers;

namespace Fleet.Worker.Tests;

/// <summary>
/// Sockets made in another process's network namespace (how the worker reaches a network-less container's executor),
/// against a server of our own in a namespace of its own (unshare --net): reachable that way, and only that way.
/// </summary>
public sealed class CustomNetworkNamespaceTests
{
    private const string Server = """
        import socket, sys
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()
        print(server.getsockname()[1], flush=True)
        while True:
            connection, _ = server.accept()
            connection.sendall(b"inside")
            connection.close()
        """;

    [Fact]
    public async Task A_socket_made_in_the_namespace_reaches_its_loopback_which_the_host_cannot()
    {
        // A new namespace's loopback is down until brought up (the engine does that for a container).
        using var server = Process.Start(new ProcessStartInfo(
            "unshare", ["--net", "/bin/sh", "-c", "/usr/sbin/ip link set lo up && exec /usr/bin/python3 -c \"$0\"", Server])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            var port = int.Parse(
                await server.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            var endpoint = new IPEndPoint(IPAddress.Loopback, port);

            using (var inside = await NetworkNamespace.ConnectAsync(server.Id, endpoint, TestContext.Current.CancellationToken))
            {
                var buffer = new byte[16];
                var read = await inside.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
                Assert.Equal("inside", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
            }

            // The thread that made the socket went back: this process's own namespace has nothing on that port.
            using var outside = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await Assert.ThrowsAsync<SocketException>(async () => await outside.ConnectAsync(endpoint, TestContext.Current.CancellationToken));
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_process_that_is_gone_is_an_io_error() =>
        await Assert.ThrowsAsync<IOException>(async () =>
            await NetworkNamespace.ConnectAsync(int.MaxValue, new IPEndPoint(IPAddress.Loopback, 8080), TestContext.Current.CancellationToken));
}
