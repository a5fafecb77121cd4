using Fleet.Contracts;
using Fleet.Storage.Calls;
using static Fleet.Storage.Tests.Contracts.StoreTestData;

namespace Fleet.Storage.Tests.Contracts;

/// <summary>What every store's migrations must do: apply once under concurrency, and carry an earlier schema's data over.</summary>
public abstract class StoreSchemaContract(IStoreFixture fixture)
{
    /// <summary>The schema version before the store was split by aggregate.</summary>
    private const int VersionBeforeAggregates = 3;

    [Fact]
    public async Task Migrate_again_is_a_no_op()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync(Ct);
        var store = fixture.OpenStore(connectionString);

        await store.MigrateAsync(Ct);
        await store.MigrateAsync(Ct);

        Assert.Equal(Enumerable.Range(1, fixture.ScriptCount), await fixture.AppliedVersionsAsync(connectionString, Ct));
        Assert.True(await store.PingAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_migrations_on_a_fresh_database_apply_each_script_once()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync(Ct);
        var stores = Enumerable.Range(0, 4).Select(_ => fixture.OpenStore(connectionString)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(Ct), Ct)));

        Assert.Equal(Enumerable.Range(1, fixture.ScriptCount), await fixture.AppliedVersionsAsync(connectionString, Ct));
        var spec = Spec(Unique("fn"));
        Assert.True(await stores[0].Functions.TryCreateAsync(spec, Ct));
        Assert.Equal(spec, await stores[3].Functions.GetAsync(spec.Namespace, spec.Name, Ct));
    }

    [Fact]
    public async Task A_version_3_store_keeps_its_functions_packages_and_calls_after_the_migration()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync(Ct);
        await fixture.MigrateToAsync(connectionString, VersionBeforeAggregates, Ct);
        var seed = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"store-v3.{fixture.Provider}.sql"), Ct);
        await fixture.ExecuteAsync(connectionString, seed, Ct);
        var store = fixture.OpenStore(connectionString);

        await store.MigrateAsync(Ct);

        var function = await store.Functions.GetAsync(FunctionNamespaces.Serverledge, "isprime-v3", Ct);
        Assert.Equal(
            (FunctionNamespaces.Serverledge, "isprime-v3", "isprime.handler", 128, "g3", Hash([1, 2, 3])),
            (function?.Namespace, function?.Name, function?.Handler, function?.MemoryMB, function?.Generation, function?.PackageHash));
        Assert.Equal(["isprime-v3"], await store.Functions.ListNamesAsync(FunctionNamespaces.Serverledge, Ct));
        Assert.Equal([1, 2, 3], await store.Blobs.GetAsync(Hash([1, 2, 3]), T0, Ct));

        var done = await store.Calls.GetAsync("done-1", T0, Ct);
        Assert.Equal((CallState.Completed, "{\"IsPrime\": true}"), (done.State, done.Outcome?.Result.Output.Json));
        Assert.Equal(CallState.Queued, (await store.Calls.GetAsync("queued-1", T0, Ct)).State);
        var queued = Assert.Single(await store.Calls.ListUnfinishedAsync(T0, afterId: null, limit: 10, Ct));
        Assert.Equal(("queued-1", FunctionNamespaces.Serverledge, "{\"text\":\"\0 \\u0000\"}"),
            (queued.Request.RequestId, queued.Request.Function.Namespace, queued.Request.Input.Json));
        Assert.Equal(1, await store.Calls.MarkRunningAsync(["queued-1"], Ct));
        Assert.Equal(1, await store.Calls.CompleteAsync([Outcome("queued-1")], Ct));

        // The package column took the JSON's hash: the purge keeps the used package and takes the orphan.
        Assert.Equal(1, await store.Blobs.PurgeAsync(T0, T0, Ct));
        Assert.Equal([1, 2, 3], await store.Blobs.GetAsync(Hash([1, 2, 3]), T0, Ct));
        Assert.Null(await store.Blobs.GetAsync(Hash([4, 5, 6]), T0, Ct));
    }
}
