using Fleet.Contracts;
using Fleet.Storage.Blobs;
using Fleet.Storage.Calls;

namespace Fleet.Storage.Tests.Contracts;

/// <summary>The documents the contract suites store: unique ids, times both databases keep exactly.</summary>
internal static class StoreTestData
{
    /// <summary>Microsecond-aligned with an offset: what both databases keep exactly (as the same instant).</summary>
    public static readonly DateTimeOffset T0 = new(2030, 5, 17, 10, 30, 15, 123, 456, TimeSpan.FromHours(2));

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static string Hash(ReadOnlySpan<byte> bytes) => BlobHash.Of(bytes);

    public static FunctionSpec Spec(string name, string @namespace = FunctionNamespaces.Serverledge) => new()
    {
        Namespace = @namespace,
        Name = name,
        Runtime = Runtimes.Python,
        Handler = "main.handler",
        MemoryMB = 256,
        CpuDemand = 0.25,
        TimeoutSeconds = 30,
        PackageHash = new string('a', 64),
        Generation = Guid.NewGuid().ToString("N"),
        CreatedAt = T0.AddTicks(3),
    };

    public static QueuedCall Queued(string id) => new()
    {
        Request = new InvokeFunction
        {
            RequestId = id,
            Function = Spec("fn"),
            Input = Payload.OfJson("{\"n\":\"17\",\"text\":\"\\u0000 and ü\"}"),
            CaptureOutput = true,
            Priority = 2,
            Async = true,
            ReceivedAt = T0,
        },
        ExpiresAt = T0.AddMinutes(30),
    };

    public static CallRecord Outcome(string id, string function = "fn", string result = "{\"answer\":42}") => new()
    {
        Id = id,
        Function = function,
        CreatedAt = T0,
        ExpiresAt = T0.AddMinutes(30),
        Result = new InvocationResult
        {
            RequestId = id,
            Status = InvocationStatus.Succeeded,
            Output = Payload.OfJson(result),
            IsWarmStart = true,
            InitTime = 0.001,
            Duration = 0.5,
            ResponseTime = 0.75,
            WorkerId = "worker-1",
            CompletedAt = T0.AddSeconds(1),
        },
    };
}
