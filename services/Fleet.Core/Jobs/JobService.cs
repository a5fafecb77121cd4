using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Contracts;
using Fleet.Core.Functions;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Jobs;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Core.Jobs;

/// <summary>
/// Jobs of many slices for the facades (DCP's): a job's slices and results live in the job store, the scheduler's job
/// engine runs them. The work function is registered once per owner and content, as function <c>h</c> (a hash of the
/// runtime, source and arguments) in namespace <c>jobs/&lt;owner&gt;</c>, so the owner's jobs of the same work share
/// warm instances. A job is seen and managed only by its owner: another owner's job reads as absent.
/// </summary>
internal sealed class JobService(
    FunctionRegistry registry, IFleetStore store, IBus bus, IOptions<JobOptions> options, TimeProvider time)
{
    /// <summary>The package's one file: the work's source and arguments, as the dcp-work convention reads them.</summary>
    private const string WorkFile = "dcp/work.json";

    private const string Unreachable = "the job store cannot be reached";

    private readonly JobOptions _options = options.Value;

    /// <summary>Stores the job with its first slices (JSON each) and starts it; the reason when its work cannot be registered.</summary>
    public async Task<(bool Deployed, string Problem)> DeployAsync(
        string owner, string jobId, WorkFunction work, string document, IReadOnlyList<string> slices, CancellationToken cancellationToken)
    {
        var function = await FunctionAsync(owner, work, cancellationToken);
        if (function.Spec is not { } spec)
        {
            return (false, function.Problem);
        }

        var now = time.GetUtcNow();
        var job = new JobRecord
        {
            Id = jobId,
            Owner = owner,
            Function = spec,
            Document = document,
            MaxAttempts = _options.MaxAttempts,
            CreatedAt = now,
            ExpiresAt = now.AddDays(_options.RetentionDays),
        };
        if (!await Guarded(() => store.Jobs.CreateAsync(job, slices, cancellationToken)))
        {
            return (false, $"job {jobId} exists");
        }

        await StartAsync(jobId, cancellationToken);
        return (true, "");
    }

    /// <summary>The owner's job, or null (none, expired, or another owner's).</summary>
    public async Task<JobReport?> GetAsync(string owner, string jobId, CancellationToken cancellationToken) =>
        await OwnAsync(owner, jobId, cancellationToken) is { } summary ? Report(summary) : null;

    /// <summary>Appends slices to the owner's job and starts them; Found false for none of the owner's.</summary>
    public async Task<SlicesAppended> AppendAsync(string owner, string jobId, IReadOnlyList<string> slices, CancellationToken cancellationToken)
    {
        if (await OwnAsync(owner, jobId, cancellationToken) is null)
        {
            return new SlicesAppended(false, false, 0, 0, 0);
        }

        var appended = await Guarded(() => store.Jobs.AppendAsync(jobId, slices, time.GetUtcNow().AddDays(_options.RetentionDays), cancellationToken));
        if (appended.Open && slices.Count > 0)
        {
            await StartAsync(jobId, cancellationToken);
        }

        return new SlicesAppended(appended.Found, appended.Open, appended.FirstNumber, appended.LastNumber, appended.TotalSlices);
    }

    /// <summary>Cancels the owner's job: nothing more starts, running slices are stopped. False for none of the owner's.</summary>
    public async Task<bool> CancelAsync(string owner, string jobId, CancellationToken cancellationToken)
    {
        if (await OwnAsync(owner, jobId, cancellationToken) is null)
        {
            return false;
        }

        await Guarded(() => store.Jobs.CancelAsync(jobId, cancellationToken));

        // Stored: should the workers not hear of it, the store discards their results and the engine starts no more.
        await TrySendAsync(deadline => bus.Publish(new JobCancelled { JobId = jobId }, deadline), cancellationToken);
        return true;
    }

    /// <summary>Returned slices of a job (whose owner the caller checked) from <paramref name="from"/> to <paramref name="to"/>, a page at most.</summary>
    public async Task<IReadOnlyList<SliceValue>> ResultsAsync(string jobId, int from, int to, int limit, CancellationToken cancellationToken) =>
        [.. (await Guarded(() => store.Jobs.ResultsAsync(jobId, from, to, limit, cancellationToken))).Select(r => new SliceValue(r.Number, r.Value))];

    public async Task<IReadOnlyList<SliceError>> FailedAsync(string jobId, int limit, CancellationToken cancellationToken) =>
        [.. (await Guarded(() => store.Jobs.FailedAsync(jobId, limit, cancellationToken))).Select(f => new SliceError(f.Number, f.Error, f.Attempts))];

    /// <summary>The owner's jobs, newest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<JobReport>> ListAsync(string owner, int limit, CancellationToken cancellationToken) =>
        [.. (await Guarded(() => store.Jobs.ListAsync(owner, time.GetUtcNow(), limit, cancellationToken))).Select(Report)];

    public Task<int> CountAsync(string owner, CancellationToken cancellationToken) =>
        Guarded(() => store.Jobs.CountAsync(owner, time.GetUtcNow(), cancellationToken));

    /// <summary>
    /// The job and its counters in the job model (see <see cref="JobState"/>); a cancelled job has nothing in flight:
    /// its running slices are stopped and their results discarded.
    /// </summary>
    private static JobReport Report(JobSummary summary)
    {
        var (job, counts) = (summary.Job, summary.Counts);
        var state = job.Cancelled ? JobState.Cancelled
            : job.TotalSlices > 0 && counts.Returned == job.TotalSlices ? JobState.Completed
            : job.TotalSlices > 0 && counts.New == 0 && counts.Scheduled == 0 && counts.Failed > 0 ? JobState.Corrupted
            : JobState.Running;
        return new JobReport(
            job.Id, job.Document, job.CreatedAt, state, job.TotalSlices, job.Cancelled ? 0 : counts.Scheduled, counts.Returned, counts.Failed,
            counts.CpuSeconds);
    }

    private async Task<JobSummary?> OwnAsync(string owner, string jobId, CancellationToken cancellationToken) =>
        await Guarded(() => store.Jobs.GetAsync(jobId, time.GetUtcNow(), cancellationToken)) is { } summary && summary.Job.Owner == owner
            ? summary
            : null;

    /// <summary>The work's function, registered when this owner has not registered the same work before.</summary>
    private async Task<(FunctionSpec? Spec, string Problem)> FunctionAsync(string owner, WorkFunction work, CancellationToken cancellationToken)
    {
        var package = PackageFiles.Of((WorkFile, Encoding.UTF8.GetBytes(WorkJson(work))));
        var function = new FunctionRef($"jobs/{owner}", Convert.ToHexStringLower(SHA256.HashData(package))[..32]);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await registry.FindAsync(function, cancellationToken) is { } known)
            {
                return (known, "");
            }

            var registration = await registry.RegisterAsync(
                new FunctionRegistration
                {
                    Function = function,
                    Runtime = work.Runtime,
                    Convention = CallConventions.DcpWork,
                    Handler = "work",
                    MemoryMB = _options.FunctionMemoryMB,
                    TimeoutSeconds = _options.SliceTimeoutSeconds,
                    Package = package,
                },
                cancellationToken);
            if (registration.Created is { } created)
            {
                return (created, "");
            }

            // Taken: another request registered the same work meanwhile.
            if (registration.Problem != RegistrationProblem.NameTaken)
            {
                return (null, registration.Reason);
            }
        }

        return (null, "the work function could not be registered");
    }

    private static string WorkJson(WorkFunction work)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("function", work.Source);
            writer.WritePropertyName("args");
            writer.WriteRawValue(work.ArgsJson);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Tells the scheduler: its engine dispatches the job now rather than at its next sweep, which would find it too.</summary>
    private Task StartAsync(string jobId, CancellationToken cancellationToken) =>
        TrySendAsync(
            async deadline => await (await bus.GetSendEndpoint(QueueNames.SchedulerAddress)).Send(new JobSlicesAdded { JobId = jobId }, deadline),
            cancellationToken);

    /// <summary>A message that speeds things up, sent when the broker answers in time; what it tells is stored already.</summary>
    private static async Task TrySendAsync(Func<CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        try
        {
            await SendDeadline.RunAsync(send, cancellationToken);
        }
        catch (Exception error) when (error is TimeoutException or MassTransitException)
        {
            // The engine's sweep and the store's rules do without it.
        }
    }

    private static Task<T> Guarded<T>(Func<Task<T>> storeCall) => StoreCalls.GuardedAsync(Unreachable, storeCall);
}
