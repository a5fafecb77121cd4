using System.Data.Common;
using Fleet.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fleet.Storage.Tests;

/// <summary>The batched outcome writer over a SQLite store that fails its first saves.</summary>
public sealed class CallResultWriterTests : IAsyncLifetime
{
    private readonly SqliteStoreFixture _fixture = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_that_fails_for_a_while_is_retried_until_the_outcome_is_saved()
    {
        var store = new FlakyStore(_fixture.Store, failures: 3, new TransientError());
        await using var writer = Writer(store);

        await writer.WriteAsync(Call("c1"), Result("c1"), Ct);

        Assert.Equal(4, store.Saves);
        Assert.Equal("c1", (await _fixture.Store.GetCallAsync("c1", DateTimeOffset.UtcNow, Ct))?.Result.RequestId);
    }

    [Fact]
    public async Task A_lasting_error_reaches_the_caller_at_once()
    {
        var store = new FlakyStore(_fixture.Store, failures: 1, new InvalidOperationException("bug"));
        await using var writer = Writer(store);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(Call("c2"), Result("c2"), Ct));

        Assert.Equal(1, store.Saves);
    }

    public ValueTask InitializeAsync() => _fixture.InitializeAsync();

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    private static CallResultWriter Writer(IFleetStore store) =>
        new(store, Options.Create(new StoreOptions()), TimeProvider.System, NullLogger<CallResultWriter>.Instance);

    private static InvokeFunction Call(string id) => new()
    {
        RequestId = id,
        Function = new FunctionSpec
        {
            Name = "fn", Runtime = Runtimes.Python, Handler = "m.f", MemoryMB = 64, TimeoutSeconds = 5, PackageHash = "00", Generation = "g",
        },
        ParamsJson = "{}",
        Async = true,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private static InvocationResult Result(string id) =>
        new() { RequestId = id, Status = InvocationStatus.Succeeded, CompletedAt = DateTimeOffset.UtcNow };

    private sealed class TransientError : DbException
    {
        public override bool IsTransient => true;
    }

    /// <summary>The inner store, except that its first <c>failures</c> saves throw <c>error</c>.</summary>
    private sealed class FlakyStore(IFleetStore inner, int failures, Exception error) : IFleetStore
    {
        public int Saves { get; private set; }

        public async Task<int> SaveOutcomesAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken)
        {
            if (++Saves <= failures)
            {
                throw error;
            }

            return await inner.SaveOutcomesAsync(outcomes, cancellationToken);
        }

        public Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

        public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

        public Task<bool> TryCreateFunctionAsync(FunctionSpec function, CancellationToken cancellationToken) =>
            inner.TryCreateFunctionAsync(function, cancellationToken);

        public Task<FunctionSpec?> GetFunctionAsync(string name, CancellationToken cancellationToken) => inner.GetFunctionAsync(name, cancellationToken);

        public Task<FunctionSpec?> DeleteFunctionAsync(string name, CancellationToken cancellationToken) =>
            inner.DeleteFunctionAsync(name, cancellationToken);

        public Task<IReadOnlyList<string>> ListFunctionNamesAsync(CancellationToken cancellationToken) =>
            inner.ListFunctionNamesAsync(cancellationToken);

        public Task PutPackageAsync(string hash, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
            inner.PutPackageAsync(hash, bytes, cancellationToken);

        public Task<byte[]?> GetPackageAsync(string hash, CancellationToken cancellationToken) => inner.GetPackageAsync(hash, cancellationToken);

        public Task<int> SaveQueuedAsync(IReadOnlyList<QueuedCall> calls, CancellationToken cancellationToken) =>
            inner.SaveQueuedAsync(calls, cancellationToken);

        public Task<IReadOnlyList<QueuedCall>> ListQueuedAsync(DateTimeOffset now, string? afterId, int limit, CancellationToken cancellationToken) =>
            inner.ListQueuedAsync(now, afterId, limit, cancellationToken);

        public Task<CallRecord?> GetCallAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.GetCallAsync(id, now, cancellationToken);

        public Task<int> PurgeUnusedPackagesAsync(DateTimeOffset putBefore, CancellationToken cancellationToken) =>
            inner.PurgeUnusedPackagesAsync(putBefore, cancellationToken);

        public Task<int> PurgeExpiredCallsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.PurgeExpiredCallsAsync(now, cancellationToken);
    }
}
