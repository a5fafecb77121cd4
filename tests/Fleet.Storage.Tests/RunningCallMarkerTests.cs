using Fleet.Storage.Calls;
using Fleet.Storage.Tests.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Storage.Tests;

/// <summary>The batched running marks over a SQLite store of its own.</summary>
public sealed class RunningCallMarkerTests : IAsyncLifetime
{
    private readonly SqliteStoreFixture _fixture = new();

    [Fact]
    public async Task Marks_arriving_together_change_the_queued_calls_and_leave_the_rest()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => StoreTestData.Unique("call")).ToList();
        await _fixture.Store.Calls.CreateQueuedAsync([.. ids.Skip(1).Select(StoreTestData.Queued)], StoreTestData.Ct);
        await using var marker = new RunningCallMarker(_fixture.Store, NullLogger<RunningCallMarker>.Instance);

        await Task.WhenAll(ids.Select(marker.WhenMarkedAsync));

        Assert.Equal(CallState.Unknown, (await _fixture.Store.Calls.GetAsync(ids[0], StoreTestData.T0, StoreTestData.Ct)).State);
        foreach (var id in ids.Skip(1))
        {
            Assert.Equal(CallState.Running, (await _fixture.Store.Calls.GetAsync(id, StoreTestData.T0, StoreTestData.Ct)).State);
        }
    }

    [Fact]
    public async Task A_failed_mark_is_logged_not_thrown()
    {
        // A directory where the database file should be: SQLite cannot open it.
        var path = Path.Combine(Path.GetTempPath(), $"fleet-mark-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(path, "taken.db"));
        await using var marker = new RunningCallMarker(
            _fixture.OpenStore($"Data Source={Path.Combine(path, "taken.db")}"), NullLogger<RunningCallMarker>.Instance);

        await marker.WhenMarkedAsync("c1");

        Directory.Delete(path, recursive: true);
    }

    public ValueTask InitializeAsync() => _fixture.InitializeAsync();

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();
}
