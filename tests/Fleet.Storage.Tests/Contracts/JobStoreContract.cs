using Fleet.Storage.Jobs;
using static Fleet.Storage.Tests.Contracts.StoreTestData;

namespace Fleet.Storage.Tests.Contracts;

/// <summary>
/// What every <see cref="IJobStore"/> must do. Each test has jobs of its own (unique ids and owners); the purge and the
/// claimable list span every job, so their tests keep times of their own, far from the others'.
/// </summary>
public abstract class JobStoreContract(IStoreFixture fixture)
{
    private static readonly DateTimeOffset Lease = T0.AddMinutes(5);

    private readonly string _owner = Unique("owner");

    private IJobStore Jobs => fixture.Store.Jobs;

    [Fact]
    public async Task A_created_job_has_all_its_slices_at_once_and_its_id_is_taken()
    {
        var job = Job();

        Assert.True(await Jobs.CreateAsync(job, Data(1, 2, 3), Ct));

        var summary = await Jobs.GetAsync(job.Id, T0, Ct);
        Assert.NotNull(summary);
        Assert.Equal(job with { TotalSlices = 3 }, summary.Job);
        Assert.Equal(new SliceCounts(3, 0, 0, 0, 0), summary.Counts);
        Assert.False(await Jobs.CreateAsync(job with { Owner = "someone-else" }, Data(9), Ct));
        Assert.Equal(_owner, (await Jobs.GetAsync(job.Id, T0, Ct))!.Job.Owner);
        Assert.Null(await Jobs.GetAsync(Unique("job"), T0, Ct));
    }

    [Fact]
    public async Task Appends_number_after_the_last_slice_and_report_the_total()
    {
        var job = await CreateAsync(Data(1, 2));

        var appended = await Jobs.AppendAsync(job.Id, Data(3, 4, 5), T0.AddDays(9), Ct);

        Assert.Equal(new AppendResult(true, true, 3, 5, 5), appended);
        Assert.Equal(new AppendResult(true, true, 6, 5, 5), await Jobs.AppendAsync(job.Id, [], T0.AddDays(9), Ct));
        var summary = (await Jobs.GetAsync(job.Id, T0, Ct))!;
        Assert.Equal((5, 5, T0.AddDays(9)), (summary.Job.TotalSlices, summary.Counts.New, summary.Job.ExpiresAt));
        var claimed = await Jobs.ClaimAsync(job.Id, 10, T0, Lease, Ct);
        Assert.Equal(["1", "2", "3", "4", "5"], claimed.Select(slice => slice.Datum));
        Assert.Equal([1, 2, 3, 4, 5], claimed.Select(slice => slice.Number));
        Assert.Equal(new AppendResult(false, false, 0, 0, 0), await Jobs.AppendAsync(Unique("job"), Data(1), T0, Ct));
    }

    [Fact]
    public async Task A_job_with_no_slices_is_open_for_appends()
    {
        var job = await CreateAsync([]);

        Assert.Equal(new SliceCounts(0, 0, 0, 0, 0), (await Jobs.GetAsync(job.Id, T0, Ct))!.Counts);
        Assert.Equal(new AppendResult(true, true, 1, 2, 2), await Jobs.AppendAsync(job.Id, Data(7, 8), T0.AddDays(7), Ct));
    }

    [Fact]
    public async Task Concurrent_appends_never_share_a_number()
    {
        var job = await CreateAsync([]);

        var appends = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Jobs.AppendAsync(job.Id, [.. Enumerable.Range(0, 10).Select(j => (i * 10 + j).ToString())], T0.AddDays(7), Ct)));

        Assert.Equal(
            Enumerable.Range(1, 100),
            appends.SelectMany(append => Enumerable.Range(append.FirstNumber, append.LastNumber - append.FirstNumber + 1)).Order());
        var claimed = await Jobs.ClaimAsync(job.Id, 200, T0, Lease, Ct);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()), claimed.Select(slice => slice.Datum).OrderBy(int.Parse));
    }

    [Fact]
    public async Task Claims_take_the_lowest_new_slices_once_each_with_a_lease()
    {
        var job = await CreateAsync(Data(10, 20, 30, 40, 50));

        var first = await Jobs.ClaimAsync(job.Id, 2, T0, Lease, Ct);
        var second = await Jobs.ClaimAsync(job.Id, 2, T0, Lease, Ct);

        Assert.Equal([new ClaimedSlice(1, "10", 1), new ClaimedSlice(2, "20", 1)], first);
        Assert.Equal([new ClaimedSlice(3, "30", 1), new ClaimedSlice(4, "40", 1)], second);
        Assert.Equal(new SliceCounts(1, 4, 0, 0, 0), (await Jobs.GetAsync(job.Id, T0, Ct))!.Counts);
    }

    [Fact]
    public async Task Concurrent_claims_never_take_the_same_slice()
    {
        var job = await CreateAsync([.. Enumerable.Range(1, 200).Select(i => i.ToString())]);

        // A claim that meets another's locked slices skips them, so it may take fewer than it asked; the next takes the rest.
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Jobs.ClaimAsync(job.Id, 30, T0, Lease, Ct)));
        var rest = await Jobs.ClaimAsync(job.Id, 200, T0, Lease, Ct);

        var numbers = claims.Append(rest).SelectMany(claim => claim.Select(slice => slice.Number)).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.Equal(200, numbers.Count);
    }

    [Fact]
    public async Task An_overdue_slice_is_claimed_again_on_its_next_attempt_and_after_the_last_it_fails()
    {
        var job = await CreateAsync(Data(1), maxAttempts: 2);
        Assert.Equal([new ClaimedSlice(1, "1", 1)], await Jobs.ClaimAsync(job.Id, 5, T0, Lease, Ct));

        Assert.Empty(await Jobs.ClaimAsync(job.Id, 5, Lease.AddTicks(-10), Lease, Ct));
        Assert.Equal([new ClaimedSlice(1, "1", 2)], await Jobs.ClaimAsync(job.Id, 5, Lease, Lease.AddMinutes(5), Ct));
        Assert.Empty(await Jobs.ClaimAsync(job.Id, 5, Lease.AddMinutes(5), Lease.AddMinutes(10), Ct));

        Assert.Equal(new SliceCounts(0, 0, 0, 1, 0), (await Jobs.GetAsync(job.Id, T0, Ct))!.Counts);
        Assert.Equal([new FailedSlice(1, "no result in time", 2)], await Jobs.FailedAsync(job.Id, 10, Ct));
    }

    [Fact]
    public async Task The_first_result_wins_and_a_repeated_or_late_one_changes_nothing()
    {
        var job = await CreateAsync(Data(1, 2));
        await Jobs.ClaimAsync(job.Id, 2, T0, Lease, Ct);

        Assert.Equal(2, await Jobs.CompleteAsync([Success(job, 1, 1, "2", 0.5), Success(job, 2, 1, "4", 0.25)], Ct));
        Assert.Equal(0, await Jobs.CompleteAsync([Success(job, 1, 1, "99", 1), Failure(job, 2, 1, "late")], Ct));

        Assert.Equal([new SliceResult(1, "2"), new SliceResult(2, "4")], await Jobs.ResultsAsync(job.Id, 1, 2, 10, Ct));
        Assert.Equal(new SliceCounts(0, 0, 2, 0, 0.75), (await Jobs.GetAsync(job.Id, T0, Ct))!.Counts);
    }

    [Fact]
    public async Task Outcomes_of_one_slice_in_one_batch_count_once()
    {
        var job = await CreateAsync(Data(1));
        await Jobs.ClaimAsync(job.Id, 1, T0, Lease, Ct);

        Assert.Equal(1, await Jobs.CompleteAsync([Failure(job, 1, 1, "boom"), Success(job, 1, 1, "\"ok\"")], Ct));

        Assert.Equal([new SliceResult(1, "\"ok\"")], await Jobs.ResultsAsync(job.Id, 1, 1, 10, Ct));
    }

    [Fact]
    public async Task A_failure_sends_the_slice_back_until_its_last_attempt_then_keeps_its_error()
    {
        var job = await CreateAsync(Data(1, 2), maxAttempts: 2);
        await Jobs.ClaimAsync(job.Id, 2, T0, Lease, Ct);

        Assert.Equal(1, await Jobs.CompleteAsync([Failure(job, 1, 1, "Error: first")], Ct));
        Assert.Equal(0, await Jobs.CompleteAsync([Failure(job, 1, 1, "Error: again")], Ct));
        Assert.Equal([new ClaimedSlice(1, "1", 2)], await Jobs.ClaimAsync(job.Id, 5, T0, Lease, Ct));
        Assert.Equal(0, await Jobs.CompleteAsync([Failure(job, 1, 1, "Error: stale")], Ct));
        Assert.Equal(1, await Jobs.CompleteAsync([Failure(job, 1, 2, "Error: second")], Ct));

        Assert.Empty(await Jobs.ClaimAsync(job.Id, 5, T0, Lease, Ct));
        Assert.Equal([new FailedSlice(1, "Error: second", 2)], await Jobs.FailedAsync(job.Id, 10, Ct));
        Assert.Equal(new SliceCounts(0, 1, 0, 1, 0), (await Jobs.GetAsync(job.Id, T0, Ct))!.Counts);
    }

    [Fact]
    public async Task A_released_slice_is_new_again_without_its_attempt_counted()
    {
        var job = await CreateAsync(Data(1, 2), maxAttempts: 1);
        var claimed = await Jobs.ClaimAsync(job.Id, 2, T0, Lease, Ct);

        await Jobs.ReleaseAsync(job.Id, claimed, Ct);

        Assert.Equal(claimed, await Jobs.ClaimAsync(job.Id, 2, T0, Lease, Ct));
    }

    [Fact]
    public async Task A_cancelled_job_gets_no_claims_no_appends_and_no_results()
    {
        var job = await CreateAsync(Data(1, 2, 3));
        await Jobs.ClaimAsync(job.Id, 1, T0, Lease, Ct);
        await Jobs.CompleteAsync([Success(job, 1, 1, "1")], Ct);
        await Jobs.ClaimAsync(job.Id, 1, T0, Lease, Ct);

        Assert.True(await Jobs.CancelAsync(job.Id, Ct));
        Assert.True(await Jobs.CancelAsync(job.Id, Ct));

        Assert.Empty(await Jobs.ClaimAsync(job.Id, 5, T0, Lease, Ct));
        Assert.Equal(0, await Jobs.CompleteAsync([Success(job, 2, 1, "2")], Ct));
        Assert.Equal(new AppendResult(true, false, 0, 0, 3), await Jobs.AppendAsync(job.Id, Data(4), T0.AddDays(7), Ct));
        var summary = (await Jobs.GetAsync(job.Id, T0, Ct))!;
        Assert.True(summary.Job.Cancelled);
        Assert.Equal((3, 1), (summary.Job.TotalSlices, summary.Counts.Returned));
        Assert.Equal([new SliceResult(1, "1")], await Jobs.ResultsAsync(job.Id, 1, 3, 10, Ct));
        Assert.DoesNotContain(job.Id, await Jobs.ClaimableJobsAsync(T0, 10_000, Ct));
        Assert.False(await Jobs.CancelAsync(Unique("job"), Ct));
    }

    [Fact]
    public async Task Results_are_read_by_range_in_pages()
    {
        var job = await CreateAsync([.. Enumerable.Range(1, 50).Select(i => i.ToString())]);
        var claimed = await Jobs.ClaimAsync(job.Id, 50, T0, Lease, Ct);
        await Jobs.CompleteAsync([.. claimed.Where(slice => slice.Number % 5 != 0).Select(slice => Success(job, slice.Number, 1, $"{slice.Number * 2}"))], Ct);

        var page = await Jobs.ResultsAsync(job.Id, 3, 12, 4, Ct);
        var next = await Jobs.ResultsAsync(job.Id, page[^1].Number + 1, 12, 4, Ct);

        Assert.Equal([3, 4, 6, 7], page.Select(result => result.Number));
        Assert.Equal([8, 9, 11, 12], next.Select(result => result.Number));
        Assert.Equal(["16", "18", "22", "24"], next.Select(result => result.Value));
        Assert.Empty(await Jobs.ResultsAsync(job.Id, 51, 100, 10, Ct));
    }

    [Fact]
    public async Task A_large_job_is_created_in_one_call_and_claimed_in_order()
    {
        var job = await CreateAsync([.. Enumerable.Range(1, 20_000).Select(i => $"{{\"i\":{i}}}")]);

        Assert.Equal(20_000, (await Jobs.GetAsync(job.Id, T0, Ct))!.Counts.New);
        var claimed = await Jobs.ClaimAsync(job.Id, 1000, T0, Lease, Ct);
        Assert.Equal(Enumerable.Range(1, 1000), claimed.Select(slice => slice.Number));
        Assert.Equal(20_001, (await Jobs.AppendAsync(job.Id, Data(1), T0.AddDays(7), Ct)).LastNumber);
    }

    [Fact]
    public async Task The_owner_lists_and_counts_its_own_unexpired_jobs_newest_first()
    {
        var older = await CreateAsync(Data(1), createdAt: T0);
        var newer = await CreateAsync(Data(1, 2), createdAt: T0.AddSeconds(1));
        await CreateAsync(Data(1), createdAt: T0.AddSeconds(2), expiresAt: T0.AddSeconds(3));
        await Jobs.CreateAsync(Job() with { Owner = Unique("other") }, Data(1), Ct);

        var listed = await Jobs.ListAsync(_owner, T0.AddSeconds(3), 10, Ct);

        Assert.Equal([newer.Id, older.Id], listed.Select(summary => summary.Job.Id));
        Assert.Equal(2, listed[0].Counts.New);
        Assert.Equal([newer.Id], (await Jobs.ListAsync(_owner, T0.AddSeconds(3), 1, Ct)).Select(summary => summary.Job.Id));
        Assert.Equal(2, await Jobs.CountAsync(_owner, T0.AddSeconds(3), Ct));
        Assert.Equal(3, await Jobs.CountAsync(_owner, T0, Ct));
        Assert.Null(await Jobs.GetAsync(listed[0].Job.Id, T0.AddDays(30), Ct));
    }

    [Fact]
    public async Task Claimable_jobs_are_those_with_a_new_or_overdue_slice()
    {
        var far = T0.AddYears(-30);
        var waiting = await CreateAsync(Data(1), createdAt: far, expiresAt: far.AddDays(1));
        var running = await CreateAsync(Data(1), createdAt: far, expiresAt: far.AddDays(1));
        var done = await CreateAsync(Data(1), createdAt: far, expiresAt: far.AddDays(1));
        await Jobs.ClaimAsync(running.Id, 1, far, far.AddMinutes(5), Ct);
        await Jobs.ClaimAsync(done.Id, 1, far, far.AddMinutes(5), Ct);
        await Jobs.CompleteAsync([Success(done, 1, 1, "1")], Ct);

        var now = await Jobs.ClaimableJobsAsync(far, 10_000, Ct);
        var later = await Jobs.ClaimableJobsAsync(far.AddMinutes(5), 10_000, Ct);

        Assert.Contains(waiting.Id, now);
        Assert.DoesNotContain(running.Id, now);
        Assert.DoesNotContain(done.Id, now);
        Assert.Contains(running.Id, later);
        Assert.DoesNotContain(done.Id, later);
    }

    [Fact]
    public async Task The_purge_deletes_expired_jobs_with_their_slices()
    {
        var far = T0.AddYears(-40);
        var expired = await CreateAsync(Data(1, 2), createdAt: far, expiresAt: far.AddSeconds(1));
        var kept = await CreateAsync(Data(1), createdAt: far, expiresAt: far.AddSeconds(2));

        Assert.True(await Jobs.PurgeAsync(far.AddSeconds(1), Ct) >= 1);

        Assert.Null(await Jobs.GetAsync(expired.Id, far, Ct));
        Assert.Empty(await Jobs.ClaimAsync(expired.Id, 5, far, far.AddMinutes(1), Ct));
        Assert.True(await Jobs.CreateAsync(Job(expired.Id), [], Ct));
        Assert.Equal(new SliceCounts(0, 0, 0, 0, 0), (await Jobs.GetAsync(expired.Id, T0, Ct))!.Counts);
        Assert.Equal(1, (await Jobs.GetAsync(kept.Id, far, Ct))!.Counts.New);
    }

    private async Task<JobRecord> CreateAsync(
        IReadOnlyList<string> slices, int maxAttempts = 3, DateTimeOffset? createdAt = null, DateTimeOffset? expiresAt = null)
    {
        var job = Job() with { MaxAttempts = maxAttempts, CreatedAt = createdAt ?? T0, ExpiresAt = expiresAt ?? T0.AddDays(7) };
        Assert.True(await Jobs.CreateAsync(job, slices, Ct));
        return job;
    }

    private JobRecord Job(string? id = null) => new()
    {
        Id = id ?? Unique("0xjob"),
        Owner = _owner,
        Function = Spec("work", "dcp/0xabc"),
        Document = "{\"args\":[1,\"ü\"]}",
        MaxAttempts = 3,
        CreatedAt = T0,
        ExpiresAt = T0.AddDays(7),
    };

    private static string[] Data(params int[] values) => [.. values.Select(value => value.ToString())];

    private static SliceOutcome Success(JobRecord job, int number, int attempt, string value, double cpuSeconds = 0) =>
        new() { JobId = job.Id, Number = number, Attempt = attempt, Succeeded = true, Value = value, CpuSeconds = cpuSeconds };

    private static SliceOutcome Failure(JobRecord job, int number, int attempt, string error) =>
        new() { JobId = job.Id, Number = number, Attempt = attempt, Succeeded = false, Error = error };
}
