namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>
/// Request ids shaped like Serverledge's, <c>&lt;function&gt;-&lt;digits&gt;</c>: this gateway's 5-digit number, then a
/// counter that starts at the process's start time in microseconds, so ids never repeat within a gateway or across restarts.
/// </summary>
internal sealed class ServerledgeRequestIds(TimeProvider time)
{
    private readonly int _gateway = Random.Shared.Next(10_000, 100_000);
    private long _next = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    public string Next(string function) =>
        $"{function}-{_gateway}{Interlocked.Increment(ref _next)}";
}
