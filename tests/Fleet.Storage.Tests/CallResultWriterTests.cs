using System.Data.Common;
using Fleet.Contracts;
using Fleet.Storage.Blobs;
using Fleet.Storage.Calls;
using Fleet.Storage.Functions;
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
        Assert.Equal("c1", (await _fixture.Store.Calls.GetAsync("c1", DateTimeOffset.UtcNow, Ct)).Outcome?.Result.RequestId);
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
            Namespace = FunctionNamespaces.Serverledge, Name = "fn", Runtime = Runtimes.Python, Handler = "m.f", MemoryMB = 64, TimeoutSeconds = 5, PackageHash = "00", Generation = "g",
        },
        Input = Payload.OfJson("{}"),
        Async = true,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private static InvocationResult Result(string id) =>
        new() { RequestId = id, Status = InvocationStatus.Succeeded, CompletedAt = DateTimeOffset.UtcNow };

    private sealed class TransientError : DbException
    {
        public override bool IsTransient => true;
    }

    /// <summary>The inner store, except that its first <c>failures</c> completions throw <c>error</c>.</summary>
    private sealed class FlakyStore(IFleetStore inner, int failures, Exception error) : IFleetStore, ICallStore
    {
        public int Saves { get; private set; }

        public IFunctionStore Functions => inner.Functions;

        public IBlobStore Blobs => inner.Blobs;

        public ICallStore Calls => this;

        public Storage.State.IStateStore State => inner.State;

        public Storage.Records.IRecordStore Records => inner.Records;

        public Storage.Jobs.IJobStore Jobs => inner.Jobs;

        public async Task<int> CompleteAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken)
        {
            if (++Saves <= failures)
            {
                throw error;
            }

            return await inner.Calls.CompleteAsync(outcomes, cancellationToken);
        }

        public Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

        public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

        public Task<int> CreateQueuedAsync(IReadOnlyList<QueuedCall> calls, CancellationToken cancellationToken) =>
            inner.Calls.CreateQueuedAsync(calls, cancellationToken);

        public Task<int> MarkRunningAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
            inner.Calls.MarkRunningAsync(ids, cancellationToken);

        public Task<CallStatus> GetAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.Calls.GetAsync(id, now, cancellationToken);

        public Task<IReadOnlyList<QueuedCall>> ListUnfinishedAsync(DateTimeOffset now, string? afterId, int limit, CancellationToken cancellationToken) =>
            inner.Calls.ListUnfinishedAsync(now, afterId, limit, cancellationToken);

        public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.Calls.PurgeExpiredAsync(now, cancellationToken);
    }
}
