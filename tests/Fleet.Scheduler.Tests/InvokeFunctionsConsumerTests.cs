using System.Diagnostics.Metrics;
using Fleet.Contracts;
using Fleet.Scheduler.Consumers;
using Fleet.Placement;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Calls;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;

namespace Fleet.Scheduler.Tests;

/// <summary>The batch consumer on MassTransit's in-memory test harness, with a real ledger and a SQLite store.</summary>
public sealed class InvokeFunctionsConsumerTests : IAsyncLifetime
{
    private readonly ManualTime _time = new();
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"fleet-scheduler-tests-{Guid.NewGuid():N}.db");
    private ServiceProvider? _services;

    private ServiceProvider Services => _services ?? throw new InvalidOperationException("not initialised");

    private ITestHarness Harness => Services.GetRequiredService<ITestHarness>();

    private WorkerLedger Ledger => Services.GetRequiredService<WorkerLedger>();

    private IFleetStore Store => Services.GetRequiredService<IFleetStore>();

    [Fact]
    public async Task Calls_go_one_message_per_worker_and_the_overflow_to_the_shared_queue_split_among_the_workers()
    {
        Ledger.Observe(Heartbeat("a", slots: 2));
        Ledger.Observe(Heartbeat("b", slots: 1));
        var calls = Enumerable.Range(0, 8).Select(i => Call($"c{i}")).ToArray();

        await Harness.Bus.Publish(new InvokeFunctions { Calls = calls }, TestContext.Current.CancellationToken);

        Assert.True(await Harness.Consumed.Any<InvokeFunctions>(TestContext.Current.CancellationToken));
        var sent = Harness.Sent.Select<RunInvocations>(TestContext.Current.CancellationToken)
            .Select(message => (Queue: message.Context.DestinationAddress!.AbsolutePath.Trim('/'), message.Context.Message))
            .ToList();
        Assert.Equal(
            [("fleet-work", 2), ("fleet-work", 3), ("fleet-worker-a", 2), ("fleet-worker-b", 1)],
            sent.Select(s => (s.Queue, s.Message.Calls.Count)).Order().ToArray());
        Assert.Equal(calls.Select(c => c.RequestId).Order(), sent.SelectMany(s => s.Message.Calls).Select(c => c.RequestId).Order());
        Assert.All(sent, s => Assert.Equal(s.Queue == "fleet-work" ? "" : s.Queue["fleet-worker-".Length..], s.Message.PlacedOn));
    }

    [Fact]
    public async Task A_large_shared_share_goes_in_messages_of_at_most_16_calls()
    {
        Ledger.Observe(Heartbeat("a", slots: 0));
        var calls = Enumerable.Range(0, 40).Select(i => Call($"c{i}")).ToArray();

        await Harness.Bus.Publish(new InvokeFunctions { Calls = calls }, TestContext.Current.CancellationToken);

        Assert.True(await Harness.Consumed.Any<InvokeFunctions>(TestContext.Current.CancellationToken));
        var sent = Harness.Sent.Select<RunInvocations>(TestContext.Current.CancellationToken).Select(m => m.Context.Message.Calls.Count);
        Assert.Equal([8, 16, 16], sent.Order().ToArray());
    }

    [Fact]
    public async Task Calls_past_their_deadline_or_beyond_capacity_are_stored_and_counted_as_refused()
    {
        using var calls = new MetricCollector<long>(Services.GetRequiredService<IMeterFactory>(), FleetMetrics.MeterName, "fleet.calls");
        Ledger.Observe(Heartbeat("a", slots: 1));
        var late = Call("late") with { Deadline = _time.GetUtcNow().AddSeconds(-1) };
        var placed = Call("placed");
        var hurried = Call("hurried") with { Deadline = _time.GetUtcNow().AddSeconds(30) };

        await Harness.Bus.Publish(new InvokeFunctions { Calls = [late, placed, hurried] }, TestContext.Current.CancellationToken);

        Assert.True(await Harness.Consumed.Any<InvokeFunctions>(TestContext.Current.CancellationToken));
        var now = _time.GetUtcNow();
        var lateRecord = (await Store.Calls.GetAsync("late", now, TestContext.Current.CancellationToken)).Outcome;
        var hurriedRecord = (await Store.Calls.GetAsync("hurried", now, TestContext.Current.CancellationToken)).Outcome;
        var placedRecord = (await Store.Calls.GetAsync("placed", now, TestContext.Current.CancellationToken)).Outcome;
        Assert.Equal((InvocationStatus.Refused, "deadline can no longer be met"), (lateRecord?.Result.Status, lateRecord?.Result.Error));
        // The only slot is taken and a call with a deadline never waits in the queue.
        Assert.Equal((InvocationStatus.Refused, "no capacity"), (hurriedRecord?.Result.Status, hurriedRecord?.Result.Error));
        Assert.Equal((late.ReceivedAt, "f"), (lateRecord?.CreatedAt, lateRecord?.Function));
        Assert.Null(placedRecord);
        Assert.Equal([(1L, "serverledge/f", "refused"), (1L, "serverledge/f", "refused")], calls.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["function"], m.Tags["outcome"])));
        var sent = Assert.Single(Harness.Sent.Select<RunInvocations>(TestContext.Current.CancellationToken));
        Assert.Equal("placed", Assert.Single(sent.Context.Message.Calls).RequestId);
    }

    public async ValueTask InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(Options.Create(new SchedulerOptions { InstanceId = "s1" }));
        services.AddSingleton(Options.Create(new PlacementOptions { QueueCapacity = 100 }));
        services.AddSingleton<SchedulerIdentity>();
        services.AddSingleton<WorkerLedger>();
        services.AddFleetStore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Provider"] = "sqlite",
            ["Store:ConnectionString"] = $"Data Source={_database}",
        }).Build());
        services.AddSingleton<CallResultWriter>();
        services.AddFleetMetrics();
        services.AddLogging();
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<InvokeFunctionsConsumer>();

            // The harness stops waiting for a message after a quiet spell, which a loaded machine can take to start
            // the consumer (CI saw Consumed.Any give up). Each test's listing of what was sent also waits out one
            // quiet spell, so it is not made much longer.
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(120), testInactivityTimeout: TimeSpan.FromSeconds(8));
        });
        _services = services.BuildServiceProvider(validateScopes: true);
        await Store.MigrateAsync(TestContext.Current.CancellationToken);
        await Harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_database);
    }

    private InvokeFunction Call(string id) => new()
    {
        RequestId = id,
        Function = new FunctionSpec
        {
            Namespace = FunctionNamespaces.Serverledge,
            Name = "f",
            Runtime = Runtimes.Python,
            Handler = "f.handler",
            MemoryMB = 128,
            TimeoutSeconds = 60,
            PackageHash = "00",
            Generation = "g1",
        },
        Input = Payload.OfJson("{}"),
        Async = true,
        ReceivedAt = _time.GetUtcNow(),
    };

    private WorkerHeartbeat Heartbeat(string id, int slots) => new()
    {
        WorkerId = id,
        Address = new Uri($"queue:fleet-worker-{id}"),
        Slots = slots,
        BusySlots = 0,
        MemoryBudgetMB = 4096,
        MemoryUsedMB = 0,
        Cpus = 2,
        IdleWarm = new Dictionary<string, int>(),
        SentAt = _time.GetUtcNow(),
    };
}
