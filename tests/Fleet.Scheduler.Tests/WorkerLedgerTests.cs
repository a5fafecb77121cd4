using Fleet.Contracts;
using Fleet.Placement;
using Microsoft.Extensions.Options;

namespace Fleet.Scheduler.Tests;

public sealed class WorkerLedgerTests
{
    private readonly ManualTime _time = new();

    private static readonly FunctionSpec Prime = Function("isprime", 128);

    private static readonly string PrimeKey = Prime.Key;

    [Fact]
    public void A_worker_holding_an_idle_warm_instance_gets_the_call()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("a", slots: 8));
        ledger.Observe(Heartbeat("b", slots: 2, warm: new() { [PrimeKey] = 1 }));

        var first = ledger.Place(Prime, mayQueue: true);
        var second = ledger.Place(Prime, mayQueue: true);

        Assert.Equal(("b", true), (first.WorkerId, first.Warm));
        Assert.Equal(("a", false), (second.WorkerId, second.Warm));
    }

    [Fact]
    public void A_warm_instance_of_the_same_name_in_another_namespace_does_not_attract_the_call()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("a", slots: 8));
        ledger.Observe(Heartbeat("b", slots: 2, warm: new() { [Prime.Key] = 0, [FunctionKeys.Of("faasm", Prime.Name)] = 1 }));

        var placed = ledger.Place(Prime, mayQueue: true);

        Assert.Equal(("a", false), (placed.WorkerId, placed.Warm));
    }

    [Fact]
    public void Without_warm_instances_the_worker_with_most_free_slots_and_room_wins()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("small", slots: 2));
        ledger.Observe(Heartbeat("big", slots: 6));
        ledger.Observe(Heartbeat("full-memory", slots: 16, budget: 1024, used: 1000));

        Assert.Equal("big", ledger.Place(Prime, mayQueue: true).WorkerId);
    }

    [Fact]
    public void Placed_work_holds_slots_until_released_then_the_instance_counts_as_warm()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("a", slots: 1));

        Assert.Equal("a", ledger.Place(Prime, mayQueue: false).WorkerId);
        Assert.True(ledger.Place(Prime, mayQueue: false).IsRefused);

        ledger.Release(new SlotsReleased { WorkerId = "a", Functions = [PrimeKey], Placed = 1 });
        var again = ledger.Place(Prime, mayQueue: false);

        Assert.Equal(("a", true), (again.WorkerId, again.Warm));
    }

    [Fact]
    public void When_no_slot_is_free_calls_queue_up_to_the_capacity_then_are_refused_and_counted()
    {
        var ledger = Ledger(queueCapacity: 2);
        ledger.Observe(Heartbeat("a", slots: 1));
        ledger.Place(Prime, mayQueue: true);

        Assert.True(ledger.Place(Prime, mayQueue: true).IsQueued);
        Assert.True(ledger.Place(Prime, mayQueue: true).IsQueued);
        Assert.True(ledger.Place(Prime, mayQueue: true).IsRefused);
        Assert.Equal(1, ledger.Status().DropCount);

        // A queued call that finished (on any worker) makes room again.
        ledger.Release(new SlotsReleased { WorkerId = "a", Functions = [PrimeKey], Placed = 0 });
        Assert.True(ledger.Place(Prime, mayQueue: true).IsQueued);
    }

    [Fact]
    public void A_warm_placement_takes_only_an_idle_warm_instance_with_a_free_slot_and_is_no_drop_otherwise()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("cold", slots: 8));
        ledger.Observe(Heartbeat("warm", slots: 4, warm: new() { [PrimeKey] = 1 }));

        var first = ledger.PlaceWarm(Prime);
        var second = ledger.PlaceWarm(Prime);

        Assert.Equal(("warm", true), (first.WorkerId, first.Warm));
        Assert.True(second.IsRefused);
        Assert.True(ledger.PlaceWarm(Function("other", 128)).IsRefused);
        Assert.Equal(0, ledger.Status().DropCount);

        ledger.Release("warm", PrimeKey);
        Assert.Equal("warm", ledger.PlaceWarm(Prime).WorkerId);
    }

    [Fact]
    public void Prewarmed_instances_count_as_idle_warm_before_the_next_heartbeat()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("a", slots: 8));
        ledger.Observe(Heartbeat("b", slots: 2));

        ledger.AddIdleWarm("b", PrimeKey, 1);
        var placement = ledger.Place(Prime, mayQueue: false);

        Assert.Equal(("b", true), (placement.WorkerId, placement.Warm));
        Assert.True(ledger.PlaceWarm(Prime).IsRefused);
    }

    [Fact]
    public void A_warm_instance_on_a_worker_without_a_free_slot_is_not_taken()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("a", slots: 1, warm: new() { [PrimeKey] = 1, ["other"] = 1 }));
        ledger.Place(Function("other", 128), mayQueue: false);

        Assert.True(ledger.PlaceWarm(Prime).IsRefused);
    }

    [Fact]
    public void Silent_and_draining_workers_get_nothing()
    {
        var ledger = Ledger(queueCapacity: 0);
        ledger.Observe(Heartbeat("draining", slots: 8, warm: new() { [PrimeKey] = 1 }) with { Draining = true });
        ledger.Observe(Heartbeat("silent", slots: 8, warm: new() { [PrimeKey] = 1 }));
        _time.Advance(TimeSpan.FromSeconds(4));

        Assert.True(ledger.Place(Prime, mayQueue: true).IsRefused);
        Assert.True(ledger.PlaceWarm(Prime).IsRefused);
        Assert.Equal(0, ledger.Status().Workers);
    }

    [Fact]
    public void Status_sums_the_live_fleet()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("a", slots: 4, budget: 2048, used: 256, warm: new() { [PrimeKey] = 2 }));
        ledger.Observe(Heartbeat("b", slots: 4, budget: 2048, used: 0, warm: new() { [PrimeKey] = 1, ["other"] = 0 }));

        var status = ledger.Status();

        Assert.Equal(2, status.Workers);
        Assert.Equal(2048 * 2 - 256, status.AvailableMemMB);
        Assert.Equal(3, status.IdleWarm[PrimeKey]);
        Assert.False(status.IdleWarm.ContainsKey("other"));
    }

    [Fact]
    public void A_heartbeat_takes_the_workers_own_count_so_a_lost_release_costs_one_heartbeat_at_most()
    {
        var ledger = Ledger(queueCapacity: 0);
        ledger.Observe(Heartbeat("a", slots: 2));
        ledger.Place(Prime, mayQueue: false);
        ledger.Place(Prime, mayQueue: false);
        Assert.True(ledger.Place(Prime, mayQueue: false).IsRefused);

        // Both calls ended; their release never came. The worker's next heartbeat holds one of ours still.
        _time.Advance(TimeSpan.FromSeconds(1));
        ledger.Observe(Heartbeat("a", slots: 2, held: new() { [ledger.Id] = 1, ["another-ledger"] = 1 }));

        Assert.Equal("a", ledger.Place(Prime, mayQueue: false).WorkerId);
        Assert.True(ledger.Place(Prime, mayQueue: false).IsRefused);
    }

    [Fact]
    public void Placements_newer_than_the_heartbeat_stay_counted_and_releases_it_reflects_are_not_counted_twice()
    {
        var ledger = Ledger(queueCapacity: 0);
        ledger.Observe(Heartbeat("a", slots: 2));
        var sent = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMilliseconds(10));
        ledger.Place(Prime, mayQueue: false);
        ledger.Place(Prime, mayQueue: false);

        // A heartbeat sent before those placements arrives after them: they still hold both slots.
        ledger.Observe(Heartbeat("a", slots: 2) with { SentAt = sent.AddMilliseconds(5) });
        Assert.True(ledger.Place(Prime, mayQueue: false).IsRefused);

        // One ended before the next heartbeat was sent (over a second on, when both placements have surely reached the
        // worker), which no longer holds it; its release arrives late.
        _time.Advance(TimeSpan.FromMilliseconds(10));
        var released = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(1.5));
        ledger.Observe(Heartbeat("a", slots: 2, held: new() { [ledger.Id] = 1 }));
        ledger.Release(new SlotsReleased { WorkerId = "a", Functions = [PrimeKey], Placed = 1, SentAt = released });

        Assert.Equal("a", ledger.Place(Prime, mayQueue: false).WorkerId);
        Assert.True(ledger.Place(Prime, mayQueue: false).IsRefused);
    }

    [Fact]
    public void A_placement_made_just_before_the_heartbeat_in_hand_was_sent_stays_counted_through_the_next()
    {
        var ledger = Ledger(queueCapacity: 0);
        // The worker's clock runs half a second ahead of the placer's: the heartbeat in hand says it was sent after
        // the placement below, which it cannot count, since the placement was made after it arrived.
        ledger.Observe(Heartbeat("a", slots: 1) with { SentAt = _time.GetUtcNow().AddMilliseconds(500) });
        Assert.Equal("a", ledger.Place(Prime, mayQueue: false).WorkerId);

        // The next heartbeat was sent before the call reached the worker.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        ledger.Observe(Heartbeat("a", slots: 1) with { SentAt = _time.GetUtcNow().AddMilliseconds(500) });

        Assert.True(ledger.Place(Prime, mayQueue: false).IsRefused);
    }

    [Fact]
    public void A_heartbeat_older_than_the_one_in_hand_is_ignored()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("a", slots: 2, warm: new() { [PrimeKey] = 1 }));
        ledger.Observe(Heartbeat("a", slots: 2) with { SentAt = _time.GetUtcNow().AddSeconds(-1) });

        Assert.True(ledger.Place(Prime, mayQueue: false).Warm);
    }

    [Fact]
    public void A_worker_restarted_under_its_id_starts_with_all_its_slots_free()
    {
        var ledger = Ledger(queueCapacity: 0);
        ledger.Observe(Heartbeat("a", slots: 2));
        ledger.Place(Prime, mayQueue: false);
        ledger.Place(Prime, mayQueue: false);

        // Killed mid-call: its new run holds nothing.
        _time.Advance(TimeSpan.FromSeconds(2));
        ledger.Observe(Heartbeat("a", slots: 2));

        Assert.Equal(2, ledger.Status().FreeSlots);
    }

    [Fact]
    public void Workers_silent_past_the_forget_time_are_forgotten()
    {
        var ledger = Ledger();
        ledger.Observe(Heartbeat("gone", slots: 2));
        _time.Advance(TimeSpan.FromSeconds(61));
        ledger.Observe(Heartbeat("new", slots: 2));
        _time.Advance(TimeSpan.FromSeconds(-61));

        Assert.Equal(1, ledger.Status().Workers);
    }

    [Fact]
    public void A_worker_with_a_free_slot_after_the_last_queued_call_empties_the_queue_count()
    {
        var ledger = Ledger(queueCapacity: 1);
        ledger.Observe(Heartbeat("a", slots: 1, busy: 1));
        ledger.Place(Prime, mayQueue: true);
        Assert.True(ledger.Place(Prime, mayQueue: true).IsQueued);
        Assert.True(ledger.Place(Prime, mayQueue: true).IsRefused);

        // The queued call's release was lost. A busy worker proves nothing; an idle one 2 s on does.
        _time.Advance(TimeSpan.FromSeconds(3));
        ledger.Observe(Heartbeat("a", slots: 1, busy: 1, held: new() { [ledger.Id] = 1 }));
        Assert.True(ledger.Place(Prime, mayQueue: true).IsRefused);
        ledger.Observe(Heartbeat("a", slots: 1, busy: 0, held: new() { [ledger.Id] = 1 }) with { SentAt = _time.GetUtcNow().AddMilliseconds(1) });

        Assert.True(ledger.Place(Prime, mayQueue: true).IsQueued);
    }

    [Fact]
    public void Custom_functions_go_only_to_workers_that_offer_the_custom_runtime_and_never_to_the_shared_queue_others_take_from()
    {
        var custom = Prime with { Name = "custom", Runtime = Runtimes.Custom, CustomImage = "example/image" };
        var ledger = Ledger();
        ledger.Observe(Heartbeat("plain", slots: 8));
        Assert.False(ledger.Offers(Runtimes.Custom));
        Assert.True(ledger.Offers(Runtimes.Python));
        Assert.True(ledger.Place(custom, mayQueue: true).IsRefused);

        ledger.Observe(Heartbeat("engine", slots: 1) with { Runtimes = [Runtimes.Python, Runtimes.Node, Runtimes.Wasm, Runtimes.Custom] });

        Assert.True(ledger.Offers(Runtimes.Custom));
        Assert.Equal("engine", ledger.Place(custom, mayQueue: true).WorkerId);
        Assert.True(ledger.Place(custom, mayQueue: true).IsRefused);
        Assert.Equal([("engine", 4096)], ledger.PrewarmCandidates(Runtimes.Custom).Select(w => (w.Id, w.FreeMemoryMB)));
        Assert.Single(ledger.LiveWorkerSizes(Runtimes.Custom));
        Assert.Equal(2, ledger.LiveWorkerSizes().Count);
    }

    private WorkerLedger Ledger(int queueCapacity = 100) =>
        new(_time, Options.Create(new PlacementOptions { QueueCapacity = queueCapacity }));

    private WorkerHeartbeat Heartbeat(
        string id, int slots, int budget = 4096, int used = 0, Dictionary<string, int>? warm = null, Dictionary<string, int>? held = null,
        int busy = 0) => new()
    {
        WorkerId = id,
        Address = new Uri($"exchange:fleet-worker-{id}"),
        Slots = slots,
        BusySlots = busy,
        Held = held ?? [],
        MemoryBudgetMB = budget,
        MemoryUsedMB = used,
        Cpus = 2,
        IdleWarm = warm ?? [],
        SentAt = _time.GetUtcNow(),
    };

    private static FunctionSpec Function(string name, int memoryMB) => new()
    {
        Namespace = FunctionNamespaces.Serverledge,
        Name = name,
        Runtime = Runtimes.Python,
        Handler = "isprime.handler",
        MemoryMB = memoryMB,
        TimeoutSeconds = 60,
        PackageHash = "00",
        Generation = "g1",
    };
}
