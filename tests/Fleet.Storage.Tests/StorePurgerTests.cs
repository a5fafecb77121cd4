using Fleet.Contracts;
using Fleet.Storage.Calls;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fleet.Storage.Tests;

/// <summary>The scheduler's purge of expired outcomes and records, on a SQLite store of its own.</summary>
public sealed class StorePurgerTests : IAsyncLifetime
{
    private readonly SqliteStoreFixture _fixture = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_pass_deletes_the_expired_outcomes_and_records_and_keeps_the_rest()
    {
        var now = DateTimeOffset.UtcNow;
        await _fixture.Store.Calls.CompleteAsync([Outcome("old", now.AddSeconds(-1)), Outcome("live", now.AddHours(1))], Ct);
        await _fixture.Store.Records.PutAsync("facade", "old", new byte[] { 1 }, now.AddSeconds(-1), Ct);
        await _fixture.Store.Records.PutAsync("facade", "live", new byte[] { 2 }, now.AddHours(1), Ct);
        var purger = Purger(intervalSeconds: 60);

        Assert.Equal(2, await purger.PurgeOnceAsync(Ct));

        Assert.Equal(0, await _fixture.Store.Calls.CompleteAsync([Outcome("live", now.AddHours(1))], Ct));
        Assert.Equal(1, await _fixture.Store.Calls.CompleteAsync([Outcome("old", now.AddHours(1))], Ct));
        Assert.False(await _fixture.Store.Records.DeleteAsync("facade", "old", Ct));
        Assert.True(await _fixture.Store.Records.DeleteAsync("facade", "live", Ct));
    }

    [Fact]
    public async Task Running_as_a_service_it_purges_every_interval()
    {
        using var purger = Purger(intervalSeconds: 1);
        await purger.StartAsync(Ct);
        await _fixture.Store.Calls.CompleteAsync([Outcome("soon", DateTimeOffset.UtcNow.AddMilliseconds(200))], Ct);

        // Gone once a pass has run after its expiry: saving the id again then stores a new outcome.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (await _fixture.Store.Calls.CompleteAsync([Outcome("soon", DateTimeOffset.UtcNow.AddMilliseconds(200))], Ct) == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "no purge within 30 s");
            await Task.Delay(100, Ct);
        }

        await purger.StopAsync(Ct);
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_logged_not_thrown()
    {
        // A directory where the database file should be: SQLite cannot open it.
        var path = Path.Combine(Path.GetTempPath(), $"fleet-purge-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(path, "taken.db"));
        using var purger = Purger(intervalSeconds: 60, _fixture.OpenStore($"Data Source={Path.Combine(path, "taken.db")}"));

        Assert.Equal(0, await purger.PurgeOnceAsync(Ct));
        Directory.Delete(path, recursive: true);
    }

    public ValueTask InitializeAsync() => _fixture.InitializeAsync();

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    /// <summary>A purger over <paramref name="store"/>, or over the fixture's store when none is given.</summary>
    private StorePurger Purger(int intervalSeconds, IFleetStore? store = null) => new(
        store ?? _fixture.Store, Options.Create(new StoreOptions { PurgeIntervalSeconds = intervalSeconds }), TimeProvider.System,
        NullLogger<StorePurger>.Instance);

    private static CallRecord Outcome(string id, DateTimeOffset expiresAt) => new()
    {
        Id = id,
        Function = "fn",
        CreatedAt = expiresAt.AddMinutes(-1),
        ExpiresAt = expiresAt,
        Result = new InvocationResult { RequestId = id, Status = InvocationStatus.Succeeded, CompletedAt = expiresAt.AddMinutes(-1) },
    };
}
