using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The receiving end of OTLP over HTTP (protobuf bodies posted to /v1/traces and /v1/metrics), answering 200 as a
/// collector does and keeping every body for the tests to search (metrics bodies decoded too).
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
        }

        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>The bodies posted to <paramref name="path"/> so far.</summary>
    public IReadOnlyList<byte[]> Bodies(string path) => [.. _received.Where(r => r.Path == path).Select(r => r.Body)];

    /// <summary>Every metric data point posted so far, decoded.</summary>
    public IReadOnlyList<OtlpMetricPoint> MetricPoints() => [.. Bodies("/v1/metrics").SelectMany(body => OtlpMetricPoint.Decode(body))];

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
