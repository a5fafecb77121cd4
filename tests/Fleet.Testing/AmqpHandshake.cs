using System.Net.Sockets;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;

namespace Fleet.Testing;

/// <summary>
/// Ready when the broker at <paramref name="amqp"/> (the address the tests use, not the container's host name, which
/// Testcontainers may guess as a bridge gateway) answers AMQP's protocol header with a method frame (Connection.Start):
/// a real listener, not Docker's proxy, which accepts connections for a stopped one too.
/// </summary>
internal sealed class AmqpHandshake(Uri amqp) : IWaitUntil
{
    private static readonly byte[] ProtocolHeader = "AMQP\0\0\u0009\u0001"u8.ToArray();

    public async Task<bool> UntilAsync(IContainer container)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(amqp.Host, amqp.Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(ProtocolHeader, timeout.Token);
            var frame = new byte[1];
            return await stream.ReadAsync(frame, timeout.Token) == 1 && frame[0] == 1;
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
