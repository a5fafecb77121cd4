using Fleet.Contracts;
using Fleet.Core.Functions;
using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Jobs;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Facades.Tests;

/// <summary>
/// The scheduler's job engine over the real in-process fleet, below any facade: a job put in the store runs every
/// slice on the worker in batch calls, each result kept once by slice number; failing and hanging slices are retried
/// alone and then failed, and the job goes on.
/// </summary>
public sealed class JobEngineTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private static readonly Dictionary<string, string> Code = new()
    {
        ["work.py"] = """
            import time

            def double(params, context):
                n = params["n"]
                if n == -1:
                    raise ValueError("minus one")
                if n == -2:
                    while True:
                        time.sleep(0.05)
                if n < -2:
                    time.sleep(0.5)
                return n * 2
            """,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IJobStore Jobs => fleet.Services.GetRequiredService<IFleetStore>().Jobs;

    [Fact]
    public async Task Every_slice_runs_and_its_result_is_kept_by_slice_number()
    {
        var job = await DeployAsync(Enumerable.Range(1, 10));

        var summary = await CompletedAsync(job.Id, 10);

        Assert.Equal(new SliceCounts(0, 0, 10, 0, summary.Counts.CpuSeconds), summary.Counts);
        Assert.True(summary.Counts.CpuSeconds > 0, "no CPU time was counted");
        var results = await Jobs.ResultsAsync(job.Id, 1, 10, 100, Ct);
        Assert.Equal(Enumerable.Range(1, 10).Select(n => new SliceResult(n, $"{n * 2}")), results);
    }

    [Fact]
    public async Task Slices_appended_later_run_too_and_a_large_job_returns_each_slice_once()
    {
        var job = await DeployAsync(Enumerable.Range(1, 1500));
        await Jobs.AppendAsync(job.Id, [.. Enumerable.Range(1501, 500).Select(Datum)], DateTimeOffset.UtcNow.AddDays(1), Ct);
        await SendAsync(new JobSlicesAdded { JobId = job.Id });

        var summary = await CompletedAsync(job.Id, 2000);

        Assert.Equal((2000, 0), (summary.Counts.Returned, summary.Counts.Failed));
        var results = new List<SliceResult>();
        for (var from = 1; from <= 2000; from = results[^1].Number + 1)
        {
            results.AddRange(await Jobs.ResultsAsync(job.Id, from, 2000, 700, Ct));
        }

        Assert.Equal(Enumerable.Range(1, 2000).Select(n => new SliceResult(n, $"{n * 2}")), results);
    }

    [Fact]
    public async Task A_throwing_slice_is_retried_then_failed_with_its_error_and_the_others_return()
    {
        var job = await DeployAsync([1, -1, 3, 4]);

        var summary = await CompletedAsync(job.Id, 4);

        Assert.Equal((3, 1), (summary.Counts.Returned, summary.Counts.Failed));
        var failed = Assert.Single(await Jobs.FailedAsync(job.Id, 10, Ct));
        Assert.Equal((2, 2), (failed.Number, failed.Attempts));
        Assert.Contains("ValueError: minus one", failed.Error, StringComparison.Ordinal);
        Assert.Equal([1, 3, 4], (await Jobs.ResultsAsync(job.Id, 1, 4, 10, Ct)).Select(result => result.Number));
    }

    [Fact]
    public async Task A_slice_that_never_ends_is_stopped_at_the_timeout_and_failed_while_the_rest_of_its_call_returns()
    {
        var job = await DeployAsync([1, -2, 3], timeoutSeconds: 2);

        var summary = await CompletedAsync(job.Id, 3);

        Assert.Equal((2, 1), (summary.Counts.Returned, summary.Counts.Failed));
        Assert.Equal(2, Assert.Single(await Jobs.FailedAsync(job.Id, 10, Ct)).Number);
    }

    [Fact]
    public async Task A_cancelled_job_has_its_running_slices_stopped_and_starts_no_more()
    {
        // 60 slices of half a second each, in calls of 8 (the engine has not timed this job yet): 4 s a call.
        var job = await DeployAsync(Enumerable.Range(1, 60).Select(n => -2 - n));
        await WaitForAsync(job.Id, summary => summary.Counts.Scheduled > 0);

        Assert.True(await Jobs.CancelAsync(job.Id, Ct));
        await fleet.Services.GetRequiredService<IBus>().Publish(new JobCancelled { JobId = job.Id }, Ct);
        await Task.Delay(6000, Ct);

        var later = (await Jobs.GetAsync(job.Id, DateTimeOffset.UtcNow, Ct))!;
        Assert.Equal(0, later.Counts.Returned);
        Assert.Empty(await Jobs.ClaimAsync(job.Id, 100, DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow.AddHours(2), Ct));
    }

    private static string Datum(int n) => $"{{\"n\":{n}}}";

    private async Task<JobRecord> DeployAsync(IEnumerable<int> slices, int timeoutSeconds = 30)
    {
        var registration = await fleet.Services.GetRequiredService<FunctionRegistry>().RegisterAsync(
            new FunctionRegistration
            {
                Function = new FunctionRef("job-tests", $"work-{Guid.NewGuid():N}"[..16]),
                Runtime = Runtimes.Python,
                Handler = "work.double",
                MemoryMB = 128,
                TimeoutSeconds = timeoutSeconds,
                Package = Tar.Of(Code),
            },
            Ct);
        var now = DateTimeOffset.UtcNow;
        var job = new JobRecord
        {
            Id = $"0x{Guid.NewGuid():N}",
            Owner = "job-tests",
            Function = registration.Created ?? throw new InvalidOperationException(registration.Reason),
            Document = "{}",
            MaxAttempts = 2,
            CreatedAt = now,
            ExpiresAt = now.AddDays(1),
        };
        Assert.True(await Jobs.CreateAsync(job, [.. slices.Select(Datum)], Ct));
        await SendAsync(new JobSlicesAdded { JobId = job.Id });
        return job;
    }

    private async Task SendAsync(JobSlicesAdded added)
    {
        var endpoint = await fleet.Services.GetRequiredService<IBus>().GetSendEndpoint(QueueNames.SchedulerAddress);
        await endpoint.Send(added, Ct);
    }

    private Task<JobSummary> CompletedAsync(string jobId, int slices) =>
        WaitForAsync(jobId, summary => summary.Counts.Returned + summary.Counts.Failed == slices);

    private async Task<JobSummary> WaitForAsync(string jobId, Func<JobSummary, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var summary = await Jobs.GetAsync(jobId, DateTimeOffset.UtcNow, Ct) ?? throw new InvalidOperationException("the job is gone");
            if (done(summary))
            {
                return summary;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the job did not get there: {summary.Counts}");
            await Task.Delay(100, Ct);
        }
    }
}
