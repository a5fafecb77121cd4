using System.Diagnostics;
using System.Globalization;
using Fleet.Contracts;
using Fleet.Storage.Calls;
using static Fleet.Storage.Tests.Contracts.StoreTestData;

namespace Fleet.Storage.Tests.Contracts;

/// <summary>What every <see cref="ICallStore"/> must do. Each test uses ids of its own; none reads another's data.</summary>
public abstract class CallStoreContract(IStoreFixture fixture, ITestOutputHelper output)
{
    private ICallStore Calls => fixture.Store.Calls;

    [Fact]
    public async Task Unknown_call_is_unknown() =>
        Assert.Equal(CallStatus.Unknown, await Calls.GetAsync(Unique("missing"), T0, Ct));

    [Fact]
    public async Task Completed_outcome_returns_exactly()
    {
        var outcomes = Enum.GetValues<InvocationStatus>().Select((status, i) =>
        {
            var outcome = Outcome(Unique("call"));
            return outcome with
            {
                Result = outcome.Result with
                {
                    Status = status,
                    // NUL, quotes, non-BMP text and NaN must all survive the document column.
                    Stdout = "out\0put \"quoted\" 😀\n" + i.ToString(CultureInfo.InvariantCulture),
                    Stderr = "err\0",
                    Output = i % 2 == 0 ? outcome.Result.Output : Payload.OfBytes([0, 255, (byte)i]),
                    Duration = i == 0 ? double.NaN : 0.1 + i,
                    CompletedAt = T0.AddTicks(7).ToOffset(TimeSpan.FromHours(-5)),
                },
            };
        }).ToList();

        Assert.Equal(outcomes.Count, await Calls.CompleteAsync(outcomes, Ct));

        foreach (var outcome in outcomes)
        {
            var stored = await Calls.GetAsync(outcome.Id, T0, Ct);
            Assert.Equal(new CallStatus { State = CallState.Completed, Outcome = outcome }, stored);
            Assert.Equal(outcome.Result.CompletedAt.Offset, stored.Outcome!.Result.CompletedAt.Offset);
        }
    }

    [Theory]
    [InlineData("o'brien\"; DROP TABLE calls; --")]
    [InlineData("λ-call-😀")]
    [InlineData("$1 @id :id ?")]
    public async Task Ids_with_special_characters_are_plain_data(string raw)
    {
        var id = raw + Unique("");

        Assert.Equal(1, await Calls.CompleteAsync([Outcome(id, function: raw)], Ct));

        Assert.Equal(id, (await Calls.GetAsync(id, T0, Ct)).Outcome?.Result.RequestId);
    }

    [Fact]
    public async Task A_second_outcome_does_not_overwrite_the_first()
    {
        var first = Outcome(Unique("call"), result: "\"first\"");
        var second = first with { ExpiresAt = T0.AddHours(2), Result = first.Result with { Output = Payload.OfJson("\"second\"") } };

        Assert.Equal(1, await Calls.CompleteAsync([first], Ct));
        Assert.Equal(0, await Calls.CompleteAsync([second], Ct));

        Assert.Equal(first, (await Calls.GetAsync(first.Id, T0, Ct)).Outcome);
    }

    [Fact]
    public async Task Within_one_batch_the_first_outcome_of_a_call_wins()
    {
        var first = Outcome(Unique("call"), result: "\"first\"");
        var other = Outcome(Unique("call"));

        var stored = await Calls.CompleteAsync([first, other, first with { Result = first.Result with { Output = Payload.OfJson("\"second\"") } }], Ct);

        Assert.Equal(2, stored);
        Assert.Equal(first, (await Calls.GetAsync(first.Id, T0, Ct)).Outcome);
        Assert.Equal(other, (await Calls.GetAsync(other.Id, T0, Ct)).Outcome);
    }

    [Fact]
    public async Task Under_concurrency_exactly_one_outcome_wins_and_stays()
    {
        var id = Unique("call");
        await Calls.CreateQueuedAsync([Queued(id)], Ct);
        var stores = Enumerable.Range(0, 4).Select(_ => fixture.OpenStore(fixture.ConnectionString)).ToList();
        var outcomes = Enumerable.Range(0, 16).Select(i => Outcome(id, result: $"\"{i}\"")).ToList();

        var stored = await Task.WhenAll(outcomes.Select((outcome, i) =>
            Task.Run(() => stores[i % stores.Count].Calls.CompleteAsync([outcome], Ct), Ct)));

        Assert.Equal(1, stored.Sum());
        Assert.Equal(outcomes[Array.IndexOf(stored, 1)], (await Calls.GetAsync(id, T0, Ct)).Outcome);
    }

    [Fact]
    public async Task A_queued_call_goes_running_then_completed_and_stale_changes_are_refused()
    {
        var queued = Queued(Unique("call"));
        var id = queued.Request.RequestId;

        Assert.Equal(1, await Calls.CreateQueuedAsync([queued], Ct));
        Assert.Equal(0, await Calls.CreateQueuedAsync([queued with { ExpiresAt = T0.AddDays(9) }], Ct));
        Assert.Equal(new CallStatus { State = CallState.Queued }, await Calls.GetAsync(id, T0, Ct));

        Assert.Equal(1, await Calls.MarkRunningAsync([id], Ct));
        Assert.Equal(0, await Calls.MarkRunningAsync([id], Ct));
        Assert.Equal(new CallStatus { State = CallState.Running }, await Calls.GetAsync(id, T0, Ct));

        var outcome = Outcome(id);
        Assert.Equal(1, await Calls.CompleteAsync([outcome], Ct));
        Assert.Equal(new CallStatus { State = CallState.Completed, Outcome = outcome }, await Calls.GetAsync(id, T0, Ct));

        // Late and redelivered changes: a start, a submit, a second outcome. None moves a completed call.
        Assert.Equal(0, await Calls.MarkRunningAsync([id], Ct));
        Assert.Equal(0, await Calls.CreateQueuedAsync([queued], Ct));
        Assert.Equal(0, await Calls.CompleteAsync([Outcome(id, result: "\"second\"")], Ct));
        Assert.Equal(new CallStatus { State = CallState.Completed, Outcome = outcome }, await Calls.GetAsync(id, T0, Ct));
    }

    [Fact]
    public async Task A_start_racing_the_outcome_never_takes_a_completed_call_back()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => Unique("call")).ToList();
        await Calls.CreateQueuedAsync([.. ids.Select(Queued)], Ct);
        var other = fixture.OpenStore(fixture.ConnectionString);

        await Task.WhenAll(ids.Select(id => Task.WhenAll(
            Task.Run(() => other.Calls.MarkRunningAsync([id], Ct), Ct),
            Task.Run(() => Calls.CompleteAsync([Outcome(id)], Ct), Ct))));

        foreach (var id in ids)
        {
            Assert.Equal(new CallStatus { State = CallState.Completed, Outcome = Outcome(id) }, await Calls.GetAsync(id, T0, Ct));
        }
    }

    [Fact]
    public async Task Only_recorded_calls_are_marked_running()
    {
        var unknown = Unique("call");
        var completed = Outcome(Unique("call"));
        await Calls.CompleteAsync([completed], Ct);

        Assert.Equal(0, await Calls.MarkRunningAsync([unknown, completed.Id], Ct));

        Assert.Equal(CallStatus.Unknown, await Calls.GetAsync(unknown, T0, Ct));
        Assert.Equal(CallState.Completed, (await Calls.GetAsync(completed.Id, T0, Ct)).State);
    }

    [Fact]
    public async Task Each_call_keeps_its_own_expiry()
    {
        var brief = Outcome(Unique("call")) with { ExpiresAt = T0.AddMinutes(5) };
        var kept = Outcome(Unique("call")) with { ExpiresAt = T0.AddHours(8) };
        var queued = Queued(Unique("call")) with { ExpiresAt = T0.AddMinutes(5) };
        await Calls.CompleteAsync([brief, kept], Ct);
        await Calls.CreateQueuedAsync([queued], Ct);

        Assert.Equal(brief, (await Calls.GetAsync(brief.Id, T0.AddMinutes(5).AddTicks(-10), Ct)).Outcome);
        Assert.Equal(CallState.Queued, (await Calls.GetAsync(queued.Request.RequestId, T0.AddMinutes(5).AddTicks(-10), Ct)).State);
        Assert.Equal(CallStatus.Unknown, await Calls.GetAsync(brief.Id, T0.AddMinutes(5), Ct));
        Assert.Equal(CallStatus.Unknown, await Calls.GetAsync(queued.Request.RequestId, T0.AddMinutes(5), Ct));
        Assert.Equal(kept, (await Calls.GetAsync(kept.Id, T0.AddHours(8).AddTicks(-10), Ct)).Outcome);
        Assert.Equal(CallStatus.Unknown, await Calls.GetAsync(kept.Id, T0.AddDays(1), Ct));
    }

    [Fact]
    public async Task Purge_deletes_only_expired_records_of_any_state()
    {
        var store = await OwnStoreAsync();
        var expired = Outcome("expired") with { ExpiresAt = T0.AddMinutes(1) };
        var due = Outcome("due") with { ExpiresAt = T0.AddMinutes(2) };
        var live = Outcome("live") with { ExpiresAt = T0.AddHours(5) };
        await store.Calls.CompleteAsync([expired, due, live], Ct);
        await store.Calls.CreateQueuedAsync([Queued("queued-expired") with { ExpiresAt = T0.AddMinutes(1) }, Queued("queued-live")], Ct);
        await store.Calls.MarkRunningAsync(["queued-expired"], Ct);

        Assert.Equal(3, await store.Calls.PurgeExpiredAsync(T0.AddMinutes(2), Ct));

        Assert.Equal(CallStatus.Unknown, await store.Calls.GetAsync(expired.Id, T0, Ct));
        Assert.Equal(CallStatus.Unknown, await store.Calls.GetAsync(due.Id, T0, Ct));
        Assert.Equal(CallStatus.Unknown, await store.Calls.GetAsync("queued-expired", T0, Ct));
        Assert.Equal(live, (await store.Calls.GetAsync(live.Id, T0, Ct)).Outcome);
        Assert.Equal(CallState.Queued, (await store.Calls.GetAsync("queued-live", T0, Ct)).State);
        Assert.Equal(0, await store.Calls.PurgeExpiredAsync(T0.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task Unfinished_calls_are_listed_with_their_requests_in_id_order_by_pages_and_not_once_expired()
    {
        var store = await OwnStoreAsync();
        var a = Queued("a");
        await store.Calls.CreateQueuedAsync([Queued("c"), a, Queued("b"), Queued("d"), Queued("old") with { ExpiresAt = T0.AddMinutes(1) }], Ct);
        await store.Calls.MarkRunningAsync(["b"], Ct);
        await store.Calls.CompleteAsync([Outcome("d")], Ct);

        var now = T0.AddMinutes(2);
        var first = await store.Calls.ListUnfinishedAsync(now, afterId: null, limit: 2, Ct);
        var rest = await store.Calls.ListUnfinishedAsync(now, afterId: first[^1].Request.RequestId, limit: 2, Ct);

        Assert.Equal(a, first[0]);
        Assert.Equal(["a", "b"], first.Select(c => c.Request.RequestId));
        Assert.Equal(["c"], rest.Select(c => c.Request.RequestId));
        Assert.Equal(1, await store.Calls.PurgeExpiredAsync(now, Ct));
    }

    [Fact]
    public async Task Batches_write_each_call_once_in_one_call()
    {
        var ids = Enumerable.Range(0, 1200).Select(_ => Unique("call")).ToList();
        var queued = ids.Select(Queued).ToList();

        Assert.Equal(ids.Count, await Calls.CreateQueuedAsync([.. queued, .. queued.Take(10)], Ct));
        Assert.Equal(ids.Count / 2, await Calls.MarkRunningAsync([.. ids.Take(ids.Count / 2), .. ids.Take(10)], Ct));
        Assert.Equal(ids.Count, await Calls.CompleteAsync([.. ids.Select(id => Outcome(id))], Ct));

        Assert.All(await Task.WhenAll(ids.Take(20).Select(id => Calls.GetAsync(id, T0, Ct))), status => Assert.Equal(CallState.Completed, status.State));
    }

    [Fact]
    public async Task Empty_batches_are_no_ops()
    {
        Assert.Equal(0, await Calls.CreateQueuedAsync([], Ct));
        Assert.Equal(0, await Calls.MarkRunningAsync([], Ct));
        Assert.Equal(0, await Calls.CompleteAsync([], Ct));
    }

    /// <summary>
    /// Prints what async calls cost the store: outcomes alone (every async call), and queued records first (only for
    /// callers that ask, <c>Gateway:RecordQueuedCalls</c>) in the gateway's batches of 200.
    /// </summary>
    [Fact]
    public async Task Benchmark_5000_calls()
    {
        const int Count = 5000;

        await TimeAsync(100, 100, recordQueued: false); // warm-up: JIT, pools, prepared statements
        await TimeAsync(100, 100, recordQueued: true);
        var one = await TimeAsync(Count, Count, recordQueued: false);
        var small = await TimeAsync(Count, 100, recordQueued: false);
        var queued = await TimeAsync(Count, 100, recordQueued: true);

        output.WriteLine($"{GetType().Name}: {Count} outcomes in 1 batch: {Rate(one)}; in batches of 100: {Rate(small)}; "
                         + $"queued in batches of 200, then completed in batches of 100: {Rate(queued)}");

        static string Rate(TimeSpan elapsed) =>
            string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds,7:F1} ms ({Count / elapsed.TotalSeconds,9:F0}/s)");
    }

    private async Task<TimeSpan> TimeAsync(int count, int batch, bool recordQueued)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Unique("bench")).ToList();

        var watch = Stopwatch.StartNew();
        var queued = 0;
        foreach (var chunk in recordQueued ? ids.Chunk(200) : [])
        {
            queued += await Calls.CreateQueuedAsync([.. chunk.Select(Queued)], Ct);
        }

        var stored = 0;
        foreach (var chunk in ids.Chunk(batch))
        {
            stored += await Calls.CompleteAsync([.. chunk.Select(id => Outcome(id))], Ct);
        }

        var elapsed = watch.Elapsed;
        Assert.Equal((recordQueued ? count : 0, count), (queued, stored));
        return elapsed;
    }

    /// <summary>A database of its own, for tests that list or purge across all calls.</summary>
    private async Task<IFleetStore> OwnStoreAsync()
    {
        var store = fixture.OpenStore(await fixture.CreateEmptyDatabaseAsync(Ct));
        await store.MigrateAsync(Ct);
        return store;
    }
}
