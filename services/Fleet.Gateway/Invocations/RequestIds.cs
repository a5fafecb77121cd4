namespace Fleet.Gateway.Invocations;

/// <summary>
/// Request ids shaped like Serverledge's, <c>&lt;function&gt;-&lt;digits&gt;</c>: the gateway's 5-digit number, then a
/// counter that starts at the process's start time in microseconds, so ids never repeat within a gateway or across restarts.
/// </summary>
internal sealed class RequestIds(GatewayIdentity identity, TimeProvider time)
{
    private long _next = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    public string Next(string function) =>
        $"{function}-{identity.Number}{Interlocked.Increment(ref _next)}";
}
