using System.Security.Cryptography;
using Fleet.Contracts;
using Fleet.Storage.Calls;
using Npgsql;

namespace Fleet.Storage.Tests;

/// <summary>A database restart ends every session the store's pool holds; the store's next calls still succeed.</summary>
public sealed class PostgresSessionLossTests(PostgresStoreFixture fixture) : IClassFixture<PostgresStoreFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_call_after_the_server_ended_the_pooled_sessions_succeeds()
    {
        var application = $"fleet-test-{Guid.NewGuid():N}";
        var store = fixture.OpenStore(new NpgsqlConnectionStringBuilder(await fixture.CreateEmptyDatabaseAsync(Ct)) { ApplicationName = application }.ConnectionString);
        await store.MigrateAsync(Ct);
        byte[] package = [1, 2, 3];
        var hash = Convert.ToHexStringLower(SHA256.HashData(package));
        var function = new FunctionSpec
        {
            Namespace = FunctionNamespaces.Serverledge, Name = "fn", Runtime = Runtimes.Python, Handler = "m.f", MemoryMB = 64, TimeoutSeconds = 5, PackageHash = hash, Generation = "g",
        };
        var outcome = new CallRecord
        {
            Id = "call-1",
            Function = "fn",
            CreatedAt = DateTimeOffset.UtcNow,
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
            Result = new InvocationResult { RequestId = "call-1", Status = InvocationStatus.Succeeded, CompletedAt = DateTimeOffset.UtcNow },
        };

        var queued = new QueuedCall
        {
            Request = new InvokeFunction
            {
                RequestId = "call-1", Function = function, Input = Payload.OfJson("{}"), Async = true, ReceivedAt = DateTimeOffset.UtcNow,
            },
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
        };

        Func<Task>[] calls =
        [
            () => store.Blobs.PutAsync(hash, package, expiresAt: null, Ct),
            async () => Assert.True(await store.Functions.TryCreateAsync(function, Ct)),
            async () => Assert.Equal(hash, (await store.Functions.GetAsync(FunctionNamespaces.Serverledge, "fn", Ct))?.PackageHash),
            async () => Assert.Equal(["fn"], await store.Functions.ListNamesAsync(FunctionNamespaces.Serverledge, Ct)),
            async () => Assert.Equal(package, await store.Blobs.GetAsync(hash, DateTimeOffset.UtcNow, Ct)),
            async () => Assert.Equal(1, await store.Calls.CreateQueuedAsync([queued], Ct)),
            async () => Assert.Equal(1, await store.Calls.MarkRunningAsync(["call-1"], Ct)),
            async () => Assert.Equal(1, await store.Calls.CompleteAsync([outcome], Ct)),
            async () => Assert.Equal("call-1", (await store.Calls.GetAsync("call-1", DateTimeOffset.UtcNow, Ct)).Outcome?.Id),
            async () => Assert.Empty(await store.Calls.ListUnfinishedAsync(DateTimeOffset.UtcNow, afterId: null, limit: 10, Ct)),
            async () => Assert.True(await store.PingAsync(Ct)),
            async () => Assert.Equal(0, await store.Calls.PurgeExpiredAsync(DateTimeOffset.UtcNow, Ct)),
            async () => Assert.Equal(0, await store.Blobs.PurgeAsync(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(-1), Ct)),
            async () => Assert.Equal("fn", (await store.Functions.DeleteAsync(FunctionNamespaces.Serverledge, "fn", Ct))?.Name),
        ];
        foreach (var call in calls)
        {
            Assert.Equal(1, await fixture.EndSessionsAsync(application, Ct));
            await call();
        }
    }
}
