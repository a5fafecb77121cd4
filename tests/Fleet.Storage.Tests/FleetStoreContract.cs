using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Fleet.Contracts;

namespace Fleet.Storage.Tests;

/// <summary>What every <see cref="IFleetStore"/> must do. Each test uses ids of its own; none reads another's data.</summary>
public abstract class FleetStoreContract(IStoreFixture fixture, ITestOutputHelper output)
{
    /// <summary>Microsecond-aligned with an offset: what both databases keep exactly (as the same instant).</summary>
    private static readonly DateTimeOffset T0 = new(2030, 5, 17, 10, 30, 15, 123, 456, TimeSpan.FromHours(2));

    private IFleetStore Store => fixture.Store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_then_get_round_trips_the_spec_exactly()
    {
        var spec = Spec(Unique("fn"));

        Assert.True(await Store.TryCreateFunctionAsync(spec, Ct));
        var stored = await Store.GetFunctionAsync(spec.Name, Ct);

        Assert.Equal(spec, stored);
        Assert.Equal(spec.CreatedAt.Offset, stored!.CreatedAt.Offset);
        Assert.Equal(spec.CreatedAt.Ticks, stored.CreatedAt.Ticks);
    }

    [Fact]
    public async Task Spec_without_a_creation_time_round_trips()
    {
        var spec = Spec(Unique("fn")) with { CreatedAt = default };

        Assert.True(await Store.TryCreateFunctionAsync(spec, Ct));

        Assert.Equal(spec, await Store.GetFunctionAsync(spec.Name, Ct));
    }

    [Fact]
    public async Task Get_unknown_function_is_null() =>
        Assert.Null(await Store.GetFunctionAsync(Unique("missing"), Ct));

    [Fact]
    public async Task Duplicate_create_returns_false_and_keeps_the_first()
    {
        var first = Spec(Unique("fn"));
        var second = first with { Generation = "other", MemoryMB = 1024 };

        Assert.True(await Store.TryCreateFunctionAsync(first, Ct));
        Assert.False(await Store.TryCreateFunctionAsync(second, Ct));

        Assert.Equal(first, await Store.GetFunctionAsync(first.Name, Ct));
    }

    [Fact]
    public async Task List_returns_names_in_ordinal_order()
    {
        var prefix = Unique("list");
        // U+E000 sorts before an astral character by code point (the databases' byte order) but after it in UTF-16.
        string[] suffixes = ["b", "B", "a-1", "a_1", "a", "é", "\uE000", "😀", "Z"];
        foreach (var suffix in suffixes.Reverse())
        {
            Assert.True(await Store.TryCreateFunctionAsync(Spec(prefix + suffix), Ct));
        }

        var names = await Store.ListFunctionNamesAsync(Ct);

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        var mine = names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(suffixes.Select(s => prefix + s).Order(StringComparer.Ordinal), mine);
    }

    [Fact]
    public async Task Delete_returns_the_spec_and_removes_it()
    {
        var spec = Spec(Unique("fn"));
        await Store.TryCreateFunctionAsync(spec, Ct);

        Assert.Equal(spec, await Store.DeleteFunctionAsync(spec.Name, Ct));

        Assert.Null(await Store.GetFunctionAsync(spec.Name, Ct));
        Assert.DoesNotContain(spec.Name, await Store.ListFunctionNamesAsync(Ct));
        Assert.Null(await Store.DeleteFunctionAsync(spec.Name, Ct));
    }

    [Fact]
    public async Task Delete_unknown_returns_null() =>
        Assert.Null(await Store.DeleteFunctionAsync(Unique("missing"), Ct));

    [Fact]
    public async Task Recreate_after_delete_stores_the_new_spec()
    {
        var old = Spec(Unique("fn"));
        var renewed = old with { Generation = Guid.NewGuid().ToString("N"), Handler = "main.other" };
        await Store.TryCreateFunctionAsync(old, Ct);
        await Store.DeleteFunctionAsync(old.Name, Ct);

        Assert.True(await Store.TryCreateFunctionAsync(renewed, Ct));

        Assert.Equal(renewed, await Store.GetFunctionAsync(old.Name, Ct));
    }

    [Theory]
    [InlineData("o'brien\"; DROP TABLE functions; --")]
    [InlineData("λ-ƒunction-😀")]
    [InlineData("percent%_under\\back")]
    [InlineData("$1 @name :name ?")]
    public async Task Names_and_ids_with_special_characters_are_plain_data(string raw)
    {
        var name = raw + Unique("");
        var spec = Spec(name);

        Assert.True(await Store.TryCreateFunctionAsync(spec, Ct));
        Assert.Equal(spec, await Store.GetFunctionAsync(name, Ct));
        Assert.Contains(name, await Store.ListFunctionNamesAsync(Ct));

        Assert.Equal(1, await Store.SaveOutcomesAsync([Outcome(name, name)], Ct));
        Assert.Equal(name, (await Store.GetCallAsync(name, T0, Ct))!.Result.RequestId);

        Assert.Equal(spec, await Store.DeleteFunctionAsync(name, Ct));
        Assert.True(await Store.PingAsync(Ct));
    }

    [Fact]
    public async Task Package_put_twice_keeps_one_copy_and_bytes_round_trip()
    {
        var bytes = RandomNumberGenerator.GetBytes(4096);
        var hash = Hash(bytes);

        await Store.PutPackageAsync(hash, bytes, Ct);
        await Store.PutPackageAsync(hash, bytes.AsMemory(), Ct);

        Assert.Equal(bytes, await Store.GetPackageAsync(hash, Ct));
    }

    [Fact]
    public async Task Package_slice_of_a_larger_buffer_stores_only_the_slice()
    {
        var buffer = RandomNumberGenerator.GetBytes(1000);
        var slice = buffer.AsMemory(100, 500);

        await Store.PutPackageAsync(Hash(slice.Span), slice, Ct);

        Assert.Equal(slice.ToArray(), await Store.GetPackageAsync(Hash(slice.Span), Ct));
    }

    [Fact]
    public async Task Package_of_5_MB_round_trips()
    {
        var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);

        await Store.PutPackageAsync(Hash(bytes), bytes, Ct);

        Assert.Equal(bytes, await Store.GetPackageAsync(Hash(bytes), Ct));
    }

    [Fact]
    public async Task Purging_packages_deletes_only_those_no_function_uses_put_before_the_cutoff()
    {
        // A database of its own: purging is global, and no test may touch another's rows.
        var store = fixture.OpenStore(await fixture.CreateEmptyDatabaseAsync(Ct));
        await store.MigrateAsync(Ct);
        byte[] used = [1, 2, 3], unused = [4, 5, 6];
        await store.PutPackageAsync(Hash(used), used, Ct);
        await store.PutPackageAsync(Hash(unused), unused, Ct);
        Assert.True(await store.TryCreateFunctionAsync(Spec(Unique("fn")) with { PackageHash = Hash(used) }, Ct));

        Assert.Equal(0, await store.PurgeUnusedPackagesAsync(DateTimeOffset.UtcNow.AddMinutes(-5), Ct));
        Assert.Equal(1, await store.PurgeUnusedPackagesAsync(DateTimeOffset.UtcNow.AddMinutes(5), Ct));

        Assert.Equal(used, await store.GetPackageAsync(Hash(used), Ct));
        Assert.Null(await store.GetPackageAsync(Hash(unused), Ct));
    }

    [Fact]
    public async Task Package_under_a_wrong_hash_is_refused()
    {
        var bytes = RandomNumberGenerator.GetBytes(64);
        var wrong = Hash(RandomNumberGenerator.GetBytes(64));

        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutPackageAsync(wrong, bytes, Ct));

        Assert.Null(await Store.GetPackageAsync(wrong, Ct));
    }

    [Fact]
    public async Task Package_empty_round_trips_and_unknown_is_null()
    {
        await Store.PutPackageAsync(Hash([]), ReadOnlyMemory<byte>.Empty, Ct);

        var stored = await Store.GetPackageAsync(Hash([]), Ct);
        Assert.NotNull(stored);
        Assert.Empty(stored);
        Assert.Null(await Store.GetPackageAsync(Hash(RandomNumberGenerator.GetBytes(8)), Ct));
    }

    [Fact]
    public async Task Get_unknown_call_is_null() =>
        Assert.Null(await Store.GetCallAsync(Unique("missing"), T0, Ct));

    [Fact]
    public async Task Saved_outcome_returns_exactly()
    {
        var statuses = Enum.GetValues<InvocationStatus>();
        var outcomes = statuses.Select((status, i) =>
        {
            var outcome = Outcome(Unique("call"));
            return outcome with
            {
                Result = outcome.Result with
                {
                    Status = status,
                    // NUL, quotes, non-BMP text and NaN must all survive the document column.
                    Output = "out\0put \"quoted\" 😀\n" + i.ToString(CultureInfo.InvariantCulture),
                    Duration = i == 0 ? double.NaN : 0.1 + i,
                    CompletedAt = T0.AddTicks(7).ToOffset(TimeSpan.FromHours(-5)),
                },
            };
        }).ToList();

        Assert.Equal(outcomes.Count, await Store.SaveOutcomesAsync(outcomes, Ct));

        foreach (var outcome in outcomes)
        {
            var stored = await Store.GetCallAsync(outcome.Id, T0, Ct);
            Assert.Equal(outcome, stored);
            Assert.Equal(outcome.Result.CompletedAt.Offset, stored!.Result.CompletedAt.Offset);
        }
    }

    [Fact]
    public async Task Second_outcome_does_not_overwrite_the_first()
    {
        var first = Outcome(Unique("call"), result: "\"first\"");
        var second = first with { ExpiresAt = T0.AddHours(2), Result = first.Result with { Result = "\"second\"" } };

        Assert.Equal(1, await Store.SaveOutcomesAsync([first], Ct));
        Assert.Equal(0, await Store.SaveOutcomesAsync([second], Ct));

        Assert.Equal(first, await Store.GetCallAsync(first.Id, T0, Ct));
    }

    [Fact]
    public async Task Within_one_batch_the_first_outcome_of_a_call_wins()
    {
        var first = Outcome(Unique("call"), result: "\"first\"");
        var other = Outcome(Unique("call"));

        var stored = await Store.SaveOutcomesAsync([first, other, first with { Result = first.Result with { Result = "\"second\"" } }], Ct);

        Assert.Equal(2, stored);
        Assert.Equal(first, await Store.GetCallAsync(first.Id, T0, Ct));
        Assert.Equal(other, await Store.GetCallAsync(other.Id, T0, Ct));
    }

    [Fact]
    public async Task Outcome_is_gone_once_it_expires()
    {
        var outcome = Outcome(Unique("call")) with { ExpiresAt = T0.AddMinutes(5) };
        await Store.SaveOutcomesAsync([outcome], Ct);

        Assert.NotNull(await Store.GetCallAsync(outcome.Id, T0.AddMinutes(5).AddTicks(-10), Ct));
        Assert.Null(await Store.GetCallAsync(outcome.Id, T0.AddMinutes(5), Ct));
        Assert.Null(await Store.GetCallAsync(outcome.Id, T0.AddDays(1), Ct));
    }

    [Fact]
    public async Task Purge_deletes_only_expired_outcomes()
    {
        // A database of its own: purging is global, and no test may touch another's rows.
        var store = fixture.OpenStore(await fixture.CreateEmptyDatabaseAsync(Ct));
        await store.MigrateAsync(Ct);
        var expired = Outcome("expired") with { ExpiresAt = T0.AddMinutes(1) };
        var due = Outcome("due") with { ExpiresAt = T0.AddMinutes(2) };
        var live = Outcome("live") with { ExpiresAt = T0.AddHours(5) };
        await store.SaveOutcomesAsync([expired, due, live], Ct);

        Assert.Equal(2, await store.PurgeExpiredCallsAsync(T0.AddMinutes(2), Ct));

        Assert.Null(await store.GetCallAsync(expired.Id, T0, Ct));
        Assert.Null(await store.GetCallAsync(due.Id, T0, Ct));
        Assert.Equal(live, await store.GetCallAsync(live.Id, T0, Ct));
        Assert.Equal(0, await store.PurgeExpiredCallsAsync(T0.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task A_queued_call_is_listed_with_its_request_until_its_outcome_which_it_does_not_hide_from_or_lose_to()
    {
        var store = await OwnStoreAsync();
        var queued = Queued(Unique("call"));
        Assert.Equal(1, await store.SaveQueuedAsync([queued], Ct));
        Assert.Equal(0, await store.SaveQueuedAsync([queued with { ExpiresAt = T0.AddDays(9) }], Ct));

        Assert.Null(await store.GetCallAsync(queued.Request.RequestId, T0, Ct));
        Assert.Equal([queued], await store.ListQueuedAsync(T0, afterId: null, limit: 10, Ct));

        var outcome = Outcome(queued.Request.RequestId);
        Assert.Equal(1, await store.SaveOutcomesAsync([outcome], Ct));
        Assert.Empty(await store.ListQueuedAsync(T0, afterId: null, limit: 10, Ct));
        Assert.Equal(outcome, await store.GetCallAsync(outcome.Id, T0, Ct));

        // Recorded again after its outcome (a redelivered submit): the outcome stays, nothing is queued.
        Assert.Equal(0, await store.SaveQueuedAsync([queued], Ct));
        Assert.Equal(0, await store.SaveOutcomesAsync([Outcome(outcome.Id, result: "\"second\"")], Ct));
        Assert.Equal(outcome, await store.GetCallAsync(outcome.Id, T0, Ct));
        Assert.Empty(await store.ListQueuedAsync(T0, afterId: null, limit: 10, Ct));
    }

    [Fact]
    public async Task Queued_calls_are_listed_in_id_order_by_pages_and_not_once_expired()
    {
        var store = await OwnStoreAsync();
        await store.SaveQueuedAsync([Queued("c"), Queued("a"), Queued("b"), Queued("old") with { ExpiresAt = T0.AddMinutes(1) }], Ct);

        var now = T0.AddMinutes(2);
        var first = await store.ListQueuedAsync(now, afterId: null, limit: 2, Ct);
        var rest = await store.ListQueuedAsync(now, afterId: first[^1].Request.RequestId, limit: 2, Ct);

        Assert.Equal(["a", "b"], first.Select(c => c.Request.RequestId));
        Assert.Equal(["c"], rest.Select(c => c.Request.RequestId));
        Assert.Equal(1, await store.PurgeExpiredCallsAsync(now, Ct));
    }

    [Fact]
    public async Task Empty_batch_is_a_no_op() =>
        Assert.Equal(0, await Store.SaveOutcomesAsync([], Ct));

    [Fact]
    public async Task Migrate_again_is_a_no_op()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync(Ct);
        var store = fixture.OpenStore(connectionString);

        await store.MigrateAsync(Ct);
        await store.MigrateAsync(Ct);

        Assert.Equal(Enumerable.Range(1, fixture.ScriptCount), await fixture.AppliedVersionsAsync(connectionString, Ct));
        Assert.True(await Store.PingAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_migrations_on_a_fresh_database_apply_each_script_once()
    {
        var connectionString = await fixture.CreateEmptyDatabaseAsync(Ct);
        var stores = Enumerable.Range(0, 4).Select(_ => fixture.OpenStore(connectionString)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(Ct), Ct)));

        Assert.Equal(Enumerable.Range(1, fixture.ScriptCount), await fixture.AppliedVersionsAsync(connectionString, Ct));
        var spec = Spec(Unique("fn"));
        Assert.True(await stores[0].TryCreateFunctionAsync(spec, Ct));
        Assert.Equal(spec, await stores[3].GetFunctionAsync(spec.Name, Ct));
    }

    [Fact]
    public async Task Benchmark_5000_outcomes()
    {
        const int Count = 5000;
        const int SmallBatch = 100;

        await TimeAsync(SmallBatch, SmallBatch); // warm-up: JIT, pools, prepared statements
        var one = await TimeAsync(Count, Count);
        var small = await TimeAsync(Count, SmallBatch);

        output.WriteLine($"{GetType().Name}: {Count} outcomes in 1 batch: {Rate(one)}; in batches of {SmallBatch}: {Rate(small)}");

        static string Rate(TimeSpan elapsed) =>
            string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds,7:F1} ms ({Count / elapsed.TotalSeconds,9:F0}/s)");
    }

    private async Task<TimeSpan> TimeAsync(int count, int batch)
    {
        var outcomes = Enumerable.Range(0, count).Select(_ => Outcome(Unique("bench"))).ToList();

        var watch = Stopwatch.StartNew();
        var stored = 0;
        foreach (var chunk in outcomes.Chunk(batch))
        {
            stored += await Store.SaveOutcomesAsync(chunk, Ct);
        }

        var elapsed = watch.Elapsed;
        Assert.Equal(count, stored);
        return elapsed;
    }

    /// <summary>A database of its own, for tests that list or purge across all calls.</summary>
    private async Task<IFleetStore> OwnStoreAsync()
    {
        var store = fixture.OpenStore(await fixture.CreateEmptyDatabaseAsync(Ct));
        await store.MigrateAsync(Ct);
        return store;
    }

    private static QueuedCall Queued(string id) => new()
    {
        Request = new InvokeFunction
        {
            RequestId = id,
            Function = Spec("fn"),
            ParamsJson = "{\"n\":\"17\",\"text\":\"\\u0000 and ü\"}",
            ReturnOutput = true,
            QosClass = 2,
            Async = true,
            ReceivedAt = T0,
        },
        ExpiresAt = T0.AddMinutes(30),
    };

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static FunctionSpec Spec(string name) => new()
    {
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

    private static CallRecord Outcome(string id, string function = "fn", string result = "{\"answer\":42}") => new()
    {
        Id = id,
        Function = function,
        CreatedAt = T0,
        ExpiresAt = T0.AddMinutes(30),
        Result = new InvocationResult
        {
            RequestId = id,
            Status = InvocationStatus.Succeeded,
            Result = result,
            IsWarmStart = true,
            InitTime = 0.001,
            Duration = 0.5,
            ResponseTime = 0.75,
            WorkerId = "worker-1",
            CompletedAt = T0.AddSeconds(1),
        },
    };
}
