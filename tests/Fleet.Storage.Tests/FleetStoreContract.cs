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

        var call = Call(name, name);
        await Store.RecordCallsAsync([call], Ct);
        Assert.Equal(1, await Store.CompleteCallsAsync([Result(name)], T0.AddHours(1), Ct));
        Assert.Equal(name, (await Store.GetCallAsync(name, T0, Ct))!.Result!.RequestId);

        Assert.Equal(spec, await Store.DeleteFunctionAsync(name, Ct));
        Assert.True(await Store.PingAsync(Ct));
    }

    [Fact]
    public async Task Package_put_twice_is_a_no_op_and_bytes_round_trip()
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
    public async Task Recorded_call_is_queued()
    {
        var call = Call(Unique("call"));

        await Store.RecordCallsAsync([call], Ct);

        var stored = await Store.GetCallAsync(call.Id, T0, Ct);
        Assert.Equal(call, stored);
        Assert.Null(stored!.Result);
    }

    [Fact]
    public async Task Get_unknown_call_is_null() =>
        Assert.Null(await Store.GetCallAsync(Unique("missing"), T0, Ct));

    [Fact]
    public async Task Completed_call_returns_its_result_exactly()
    {
        var statuses = Enum.GetValues<InvocationStatus>();
        var calls = statuses.Select(_ => Call(Unique("call"))).ToList();
        var results = calls.Select((c, i) => Result(c.Id) with
        {
            Status = statuses[i],
            // NUL, quotes, non-BMP text and NaN must all survive the document column.
            Output = "out\0put \"quoted\" 😀\n" + i.ToString(CultureInfo.InvariantCulture),
            Duration = i == 0 ? double.NaN : 0.1 + i,
            CompletedAt = T0.AddTicks(7).ToOffset(TimeSpan.FromHours(-5)),
        }).ToList();
        await Store.RecordCallsAsync(calls, Ct);

        Assert.Equal(calls.Count, await Store.CompleteCallsAsync(results, T0.AddHours(1), Ct));

        for (var i = 0; i < calls.Count; i++)
        {
            var stored = await Store.GetCallAsync(calls[i].Id, T0, Ct);
            Assert.Equal(results[i], stored!.Result);
            Assert.Equal(results[i].CompletedAt.Offset, stored.Result!.CompletedAt.Offset);
            Assert.Equal(T0.AddHours(1), stored.ExpiresAt);
            Assert.Equal(calls[i].CreatedAt, stored.CreatedAt);
        }
    }

    [Fact]
    public async Task Second_completion_does_not_overwrite_the_first()
    {
        var call = Call(Unique("call"));
        var first = Result(call.Id) with { Result = "\"first\"" };
        await Store.RecordCallsAsync([call], Ct);

        Assert.Equal(1, await Store.CompleteCallsAsync([first], T0.AddHours(1), Ct));
        Assert.Equal(0, await Store.CompleteCallsAsync([first with { Result = "\"second\"" }], T0.AddHours(2), Ct));

        var stored = await Store.GetCallAsync(call.Id, T0, Ct);
        Assert.Equal(first, stored!.Result);
        Assert.Equal(T0.AddHours(1), stored.ExpiresAt);
    }

    [Fact]
    public async Task Within_one_batch_the_first_outcome_of_a_call_wins()
    {
        var call = Call(Unique("call"));
        var first = Result(call.Id) with { Result = "\"first\"" };
        await Store.RecordCallsAsync([call], Ct);

        var changed = await Store.CompleteCallsAsync([first, first with { Result = "\"second\"" }], T0.AddHours(1), Ct);

        Assert.Equal(1, changed);
        Assert.Equal(first, (await Store.GetCallAsync(call.Id, T0, Ct))!.Result);
    }

    [Fact]
    public async Task Completing_an_unknown_call_changes_nothing()
    {
        var id = Unique("missing");

        Assert.Equal(0, await Store.CompleteCallsAsync([Result(id)], T0.AddHours(1), Ct));
        Assert.Null(await Store.GetCallAsync(id, T0, Ct));
    }

    [Fact]
    public async Task Recording_again_keeps_the_outcome()
    {
        var call = Call(Unique("call"));
        await Store.RecordCallsAsync([call], Ct);
        await Store.CompleteCallsAsync([Result(call.Id)], T0.AddHours(1), Ct);

        var other = Call(Unique("call"));
        await Store.RecordCallsAsync([call, other, other], Ct);

        Assert.Equal(other, await Store.GetCallAsync(other.Id, T0, Ct));
        Assert.NotNull((await Store.GetCallAsync(call.Id, T0, Ct))!.Result);
    }

    [Fact]
    public async Task Call_is_gone_once_it_expires()
    {
        var call = Call(Unique("call")) with { ExpiresAt = T0.AddMinutes(5) };
        await Store.RecordCallsAsync([call], Ct);

        Assert.NotNull(await Store.GetCallAsync(call.Id, T0.AddMinutes(5).AddTicks(-10), Ct));
        Assert.Null(await Store.GetCallAsync(call.Id, T0.AddMinutes(5), Ct));
        Assert.Null(await Store.GetCallAsync(call.Id, T0.AddDays(1), Ct));
    }

    [Fact]
    public async Task Completion_sets_the_given_expiry()
    {
        var call = Call(Unique("call")) with { ExpiresAt = T0.AddMinutes(5) };
        await Store.RecordCallsAsync([call], Ct);

        await Store.CompleteCallsAsync([Result(call.Id)], T0.AddMinutes(1), Ct);

        Assert.Null(await Store.GetCallAsync(call.Id, T0.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task Purge_deletes_only_expired_calls()
    {
        // A database of its own: purging is global, and no test may touch another's rows.
        var store = fixture.OpenStore(await fixture.CreateEmptyDatabaseAsync(Ct));
        await store.MigrateAsync(Ct);
        var expired = Call("expired") with { ExpiresAt = T0.AddMinutes(1) };
        var completed = Call("completed") with { ExpiresAt = T0.AddHours(5) };
        var live = Call("live") with { ExpiresAt = T0.AddHours(5) };
        await store.RecordCallsAsync([expired, completed, live], Ct);
        await store.CompleteCallsAsync([Result(completed.Id)], T0.AddMinutes(2), Ct);

        Assert.Equal(2, await store.PurgeExpiredCallsAsync(T0.AddMinutes(2), Ct));

        Assert.Null(await store.GetCallAsync(expired.Id, T0, Ct));
        Assert.Null(await store.GetCallAsync(completed.Id, T0, Ct));
        Assert.Equal(live, await store.GetCallAsync(live.Id, T0, Ct));
        Assert.Equal(0, await store.PurgeExpiredCallsAsync(T0.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task Empty_batches_are_no_ops()
    {
        await Store.RecordCallsAsync([], Ct);

        Assert.Equal(0, await Store.CompleteCallsAsync([], T0, Ct));
    }

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
    public async Task Benchmark_5000_records_and_completions()
    {
        const int Count = 5000;
        const int SmallBatch = 100;

        await TimeAsync(SmallBatch, SmallBatch); // warm-up: JIT, pools, prepared statements
        var (recordOne, completeOne) = await TimeAsync(Count, Count);
        var (recordSmall, completeSmall) = await TimeAsync(Count, SmallBatch);

        output.WriteLine($"{GetType().Name}: {Count} calls in 1 batch:   record {Rate(recordOne)}, complete {Rate(completeOne)}");
        output.WriteLine($"{GetType().Name}: {Count} calls in batches of {SmallBatch}: record {Rate(recordSmall)}, complete {Rate(completeSmall)}");

        static string Rate(TimeSpan elapsed) =>
            string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds,7:F1} ms ({Count / elapsed.TotalSeconds,9:F0}/s)");
    }

    private async Task<(TimeSpan Record, TimeSpan Complete)> TimeAsync(int count, int batch)
    {
        var calls = Enumerable.Range(0, count).Select(_ => Call(Unique("bench"))).ToList();
        var results = calls.Select(c => Result(c.Id)).ToList();

        var watch = Stopwatch.StartNew();
        foreach (var chunk in calls.Chunk(batch))
        {
            await Store.RecordCallsAsync(chunk, Ct);
        }

        var record = watch.Elapsed;
        watch.Restart();
        var changed = 0;
        foreach (var chunk in results.Chunk(batch))
        {
            changed += await Store.CompleteCallsAsync(chunk, T0.AddHours(1), Ct);
        }

        var complete = watch.Elapsed;
        Assert.Equal(count, changed);
        return (record, complete);
    }

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

    private static CallRecord Call(string id, string function = "fn") => new()
    {
        Id = id,
        Function = function,
        CreatedAt = T0,
        ExpiresAt = T0.AddMinutes(30),
    };

    private static InvocationResult Result(string id) => new()
    {
        RequestId = id,
        Status = InvocationStatus.Succeeded,
        Result = "{\"answer\":42}",
        IsWarmStart = true,
        InitTime = 0.001,
        Duration = 0.5,
        ResponseTime = 0.75,
        WorkerId = "worker-1",
        CompletedAt = T0.AddSeconds(1),
    };
}
