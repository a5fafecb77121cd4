using System.Diagnostics;
using System.Text;
using Fleet.Contracts;
using Fleet.Worker.Runtimes.Catalog;
using Fleet.Worker.Runtimes.HostCalls;
using Fleet.Worker.Runtimes.Protocol;

namespace Fleet.Worker.Runtimes;

/// <summary>One long-lived executor process (in its sandbox) that has loaded one function; serves one call at a time.</summary>
internal sealed class ExecutorInstance : IInstance, IAsyncDisposable
{
    private const int KeptLaunchErrorChars = 2048;
    private static readonly TimeSpan MinimumStartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly ExecutorSession _session;
    private readonly CgroupSlice? _cgroup;
    private readonly TimeProvider _time;
    private readonly int _maxResultBytes;
    private readonly StringBuilder _launchErrors = new();
    private readonly Task _errorsRead;
    private int _stopped;
    private volatile string? _malformedReply;
    private PackageLease? _package;

    /// <summary>A spare's own code directory, filled when it is claimed and removed when it stops.</summary>
    private readonly string? _spareDirectory;

    private ExecutorInstance(
        string id, InstanceKey key, int memoryMB, Process process, CgroupSlice? cgroup, int maxResultBytes, TimeProvider time, string? spareDirectory)
    {
        Id = id;
        Key = key;
        MemoryMB = memoryMB;
        _process = process;
        _cgroup = cgroup;
        _time = time;
        _spareDirectory = spareDirectory;
        _maxResultBytes = maxResultBytes;
        _session = new ExecutorSession(new FrameChannel(process.StandardInput.BaseStream, process.StandardOutput.BaseStream), maxResultBytes);
        _errorsRead = KeepLaunchErrorsAsync(process.StandardError.BaseStream);
    }

    public string Id { get; }

    public InstanceKey Key { get; private set; }

    public int MemoryMB { get; private set; }

    /// <summary>The convention the function was loaded with (<see cref="CallConventions"/>); empty for a spare.</summary>
    public string Convention { get; private set; } = "";

    /// <summary>When it last became idle; the pool's LRU and keep-alive clock.</summary>
    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Killed, timed out, crashed or out of step: never to be used again.</summary>
    public bool Broken { get; private set; }

    /// <summary>
    /// Whether it can take a call: not broken, and its process has not exited since its last call (a thread, timer or
    /// unhandled promise the function left behind can end it after the reply). One found dead is marked broken.
    /// </summary>
    public bool CanServe()
    {
        if (!Broken && _process.HasExited)
        {
            Broken = true;
        }

        return !Broken;
    }

    /// <summary>Starts the executor and loads the function; throws <see cref="InstanceStartException"/> with the reason when it cannot.</summary>
    public static async Task<ExecutorInstance> StartAsync(
        string id, FunctionSpec function, string convention, IRuntime runtime, string codeDirectory, SandboxProfile profile,
        TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var instance = await LaunchAsync(
            id, runtime, new InstanceKey(function.Key, function.Generation), function.MemoryMB, codeDirectory, profile, time, spareDirectory: null);
        try
        {
            instance._cgroup?.Limit(function.MemoryMB, function.CpuDemand);
            await instance.InitAsync(function, convention, SandboxCommand.CodeDirectoryInside(profile, codeDirectory), cancellationToken);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A spare ("stem cell"): an executor of <paramref name="runtime"/> already started in its sandbox and cgroups, with an empty code directory
    /// of its own and no function yet. <see cref="ClaimAsync"/> turns it into an instance of a function, skipping the
    /// sandbox and interpreter start-up that dominate a cold start. Needs cgroups: its limits are set at the claim.
    /// </summary>
    public static Task<ExecutorInstance> StartSpareAsync(
        string id, IRuntime runtime, string spareDirectory, SandboxProfile profile, TimeProvider time)
    {
        Directory.CreateDirectory(spareDirectory);
        return LaunchAsync(id, runtime, new InstanceKey("", ""), memoryMB: 0, spareDirectory, profile, time, spareDirectory);
    }

    /// <summary>
    /// Makes this spare an instance of <paramref name="function"/>: links the package into its code directory, applies
    /// the function's limits, loads the function. Throws <see cref="InstanceStartException"/> or
    /// <see cref="IOException"/> when it cannot; the spare is then to be stopped.
    /// </summary>
    public async Task ClaimAsync(
        FunctionSpec function, string convention, string packageDirectory, SandboxProfile profile, CancellationToken cancellationToken)
    {
        var directory = _spareDirectory ?? throw new InvalidOperationException("only a spare can be claimed");
        CodeTree.Link(packageDirectory, directory, cancellationToken);
        _cgroup?.Limit(function.MemoryMB, function.CpuDemand);
        Key = new InstanceKey(function.Key, function.Generation);
        MemoryMB = function.MemoryMB;
        await InitAsync(function, convention, SandboxCommand.CodeDirectoryInside(profile, directory), cancellationToken);
    }

    private static async Task<ExecutorInstance> LaunchAsync(
        string id, IRuntime runtime, InstanceKey key, int memoryMB, string codeDirectory, SandboxProfile profile, TimeProvider time,
        string? spareDirectory)
    {
        var cgroup = profile.Limiter == LimiterKind.Cgroup ? CgroupSlice.Create(profile.RunId, id, profile.MaxProcesses) : null;
        var process = new Process { StartInfo = SandboxCommand.Build(profile, runtime, memoryMB, codeDirectory, cgroup?.ProcsFiles ?? []) };
        try
        {
            await ProcessLauncher.StartAsync(process);
        }
        catch
        {
            process.Dispose();
            await (cgroup?.DeleteAsync() ?? Task.FromResult(true));
            throw;
        }

        return new ExecutorInstance(id, key, memoryMB, process, cgroup, profile.MaxResultBytes, time, spareDirectory);
    }

    private async Task InitAsync(FunctionSpec function, string convention, string codeDirectoryInside, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(MinimumStartTimeout.TotalSeconds, function.TimeoutSeconds));
        var id = _session.NextId();
        var frame = ExecutorFrames.Init(id, convention, function.Handler, codeDirectoryInside, _maxResultBytes);
        var (reply, timedOut) = await ExchangeAsync(id, frame, 1, UnavailableHostCalls.Instance, timeout, cancellationToken);
        if (reply is not { Ok: true })
        {
            throw new InstanceStartException(reply?.Error
                ?? (timedOut ? $"start timed out after {timeout.TotalSeconds}s" : await ExitReasonAsync(withLaunchErrors: true)));
        }

        Convention = convention;
    }

    /// <summary>Runs one json-handler call without host calls.</summary>
    public Task<Execution> CallAsync(string paramsJson, bool returnOutput, int timeoutSeconds, CancellationToken cancellationToken) =>
        CallAsync(CallRequest.Json(paramsJson, returnOutput), timeoutSeconds, cancellationToken);

    /// <summary>Runs one call. A timeout or crash breaks the instance; cancellation kills it and throws <see cref="OperationCanceledException"/>.</summary>
    public async Task<Execution> CallAsync(CallRequest request, int timeoutSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.IsBatch && request.Items.Select(item => ExecutorFrames.Unfit(request.Convention, item)).ToList() is var unfit
            && unfit.Any(problem => problem is not null))
        {
            return await CallWithUnfitItemsAsync(request, unfit, timeoutSeconds, cancellationToken);
        }

        var id = _session.NextId();
        var (frame, problem) = request.Convention == Convention
            ? ExecutorFrames.Call(id, request)
            : (null, $"the instance loaded the function as {Convention}, not {request.Convention}");
        if (frame is null)
        {
            return new Execution { Status = InvocationStatus.Failed, Error = problem, StartedAt = _time.GetUtcNow() };
        }

        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        var timeout = timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds) : Timeout.InfiniteTimeSpan;
        var (reply, timedOut) = await ExchangeAsync(id, frame, request.Items.Count, request.HostCalls, timeout, cancellationToken);
        if (reply is not null && request.IsBatch && reply.Ok && reply.Items?.Count != request.Items.Count)
        {
            _malformedReply = $"executor sent a malformed reply ({reply.Items?.Count ?? 0} outcomes to a batch of {request.Items.Count})";
            Broken = true;
            Kill();
            reply = null;
        }

        if (reply is null)
        {
            return new Execution
            {
                Status = timedOut ? InvocationStatus.TimedOut : InvocationStatus.Failed,
                Error = timedOut ? $"timed out after {timeoutSeconds}s" : await ExitReasonAsync(withLaunchErrors: false),
                StartedAt = startedAt,
                Duration = _time.GetElapsedTime(started).TotalSeconds,
            };
        }

        return Completed(request, reply, startedAt);
    }

    /// <summary>A batch whose unfit items fail alone: the others run as a batch of their own, their outcomes put back in order.</summary>
    private async Task<Execution> CallWithUnfitItemsAsync(
        CallRequest request, List<string?> unfit, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var fitting = request.Items.Where((_, index) => unfit[index] is null).ToList();
        var execution = fitting.Count > 0
            ? await CallAsync(request with { Items = fitting }, timeoutSeconds, cancellationToken)
            : new Execution { Status = InvocationStatus.Succeeded, StartedAt = _time.GetUtcNow() };
        if (execution.Items.Count != fitting.Count)
        {
            return execution;
        }

        var next = 0;
        var items = unfit.Select(problem => problem is null ? execution.Items[next++]
            : new CallOutcome { Status = InvocationStatus.Failed, ReturnCode = 1, Error = problem }).ToList();
        return execution with { Items = items };
    }

    /// <summary>The execution a reply describes, its results held to the limit they share and its output cut to it.</summary>
    private Execution Completed(CallRequest request, ExecutorReply reply, DateTimeOffset startedAt)
    {
        var budget = _maxResultBytes;
        var outcomes = (request.IsBatch ? reply.Items! : [reply.Outcome]).Select(item => Outcome(item, ref budget)).ToList();
        var single = outcomes[0];
        var execution = new Execution
        {
            Status = request.IsBatch ? (reply.Ok ? InvocationStatus.Succeeded : InvocationStatus.Failed) : single.Status,
            Stdout = request.ReturnOutput ? OutputText.Cut(reply.Stdout, _maxResultBytes) : "",
            Stderr = request.ReturnOutput ? OutputText.Cut(reply.Stderr, _maxResultBytes) : "",
            StartedAt = startedAt,
            Duration = reply.Outcome.Duration,
        };
        return request.IsBatch
            ? execution with { Error = reply.Error, Items = outcomes }
            : execution with { Result = single.Result, ResultBytes = single.ResultBytes, ReturnCode = single.ReturnCode, Error = single.Error };
    }

    /// <summary>
    /// One item's outcome. The executors already refuse what they cannot encode or is too large, but the function shares
    /// their process and could write a reply frame of its own, so the worker holds the rule: one JSON value or bytes, and
    /// a batch's results within the limit together.
    /// </summary>
    private static CallOutcome Outcome(ReplyItem item, ref int budget)
    {
        var (textBytes, isValue) = item.Result.Length > 0 ? JsonText.Inspect(item.Result, budget) : (0, true);
        var bytes = textBytes + item.Output.Length;
        var problem = !item.Ok ? null
            : bytes > budget ? $"result of {bytes} bytes is larger than the limit of {budget} bytes"
            : isValue ? null : "result is not JSON";
        var succeeded = item.Ok && problem is null;
        if (succeeded)
        {
            budget -= bytes;
        }

        return new CallOutcome
        {
            Status = succeeded ? InvocationStatus.Succeeded : InvocationStatus.Failed,
            Result = succeeded ? item.Result : "",
            ResultBytes = succeeded ? item.Output : [],
            ReturnCode = item.ReturnCode,
            Error = problem ?? item.Error,
            Duration = item.Duration,
        };
    }

    /// <summary>Kills the process tree and removes its cgroups; false when the groups could not be removed.</summary>
    public async Task<bool> StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return true;
        }

        Broken = true;
        Kill();
        await WaitForExitAsync();
        var removed = await (_cgroup?.DeleteAsync() ?? Task.FromResult(true));
        _process.Dispose();
        if (_spareDirectory is not null)
        {
            CodeTree.Delete(_spareDirectory);
        }

        _package?.Dispose();
        return removed;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Keeps the package this instance runs on the disk until the instance stops.</summary>
    public void Hold(PackageLease package) => _package = package;

    /// <summary>
    /// Sends a frame, answers host requests and reads the reply, killing the process when the deadline passes, the
    /// caller cancels, or the exchange fails in any way (the executor is then out of step).
    /// </summary>
    private async Task<(ExecutorReply? Reply, bool TimedOut)> ExchangeAsync(
        long id, byte[] frame, int items, IHostCallHandler hostCalls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        ExecutorReply? reply = null;
        using (linked.Token.Register(static state => ((ExecutorInstance)state!).Kill(), this))
        {
            try
            {
                reply = await _session.ExchangeAsync(id, frame, items, hostCalls, linked.Token);
            }
            catch (InvalidDataException error)
            {
                // The executor is still running: it is killed below, and this, not its exit code, is the reason.
                _malformedReply = $"executor sent a malformed reply ({error.Message})";
            }
            catch (Exception error) when (error is IOException or OperationCanceledException)
            {
                reply = null;
            }
            catch
            {
                // A host call handler failed: the executor waits for its answer, and can serve nothing else.
                Broken = true;
                Kill();
                throw;
            }
        }

        if (reply is null || linked.IsCancellationRequested)
        {
            Broken = true;
            Kill();
        }

        if (reply is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return (reply, reply is null && deadline.IsCancellationRequested);
    }

    /// <summary>
    /// Kills the executor and everything it started. In cgroups that is the group's members (the launcher joined the
    /// groups before it started the sandbox), so the process tree is not walked: .NET finds a tree by reading every
    /// process on the host, tens of milliseconds that an eviction would add to the cold start waiting for its memory.
    /// </summary>
    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: _cgroup is null);
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited.
        }

        _cgroup?.KillMembers();
    }

    private async Task<string> ExitReasonAsync(bool withLaunchErrors)
    {
        await WaitForExitAsync();
        var reason = _malformedReply
            ?? (_cgroup?.OutOfMemory() == true ? $"instance exited: out of memory (limit {MemoryMB} MB)"
                : _process.HasExited ? $"instance exited (code {_process.ExitCode})" : "instance exited");
        lock (_launchErrors)
        {
            return withLaunchErrors && _launchErrors.Length > 0 ? $"{reason}: {_launchErrors.ToString().Trim()}" : reason;
        }
    }

    private async Task WaitForExitAsync()
    {
        using var wait = new CancellationTokenSource(ExitWait);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            await _errorsRead.WaitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // A process that outlives SIGKILL this long is the kernel's business; the pool moves on.
        }
    }

    /// <summary>
    /// Drains stderr so the executor never blocks on it, keeping only its first characters: what the launcher, bubblewrap
    /// or the executor say when they cannot start. Read in chunks, not lines, so a function writing without newlines
    /// cannot make the worker buffer it all.
    /// </summary>
    private async Task KeepLaunchErrorsAsync(Stream errors)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[4096];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        try
        {
            int read;
            while ((read = await errors.ReadAsync(bytes)) > 0)
            {
                lock (_launchErrors)
                {
                    if (_launchErrors.Length < KeptLaunchErrorChars)
                    {
                        var count = decoder.GetChars(bytes, 0, read, chars, 0);
                        _launchErrors.Append(chars, 0, Math.Min(count, KeptLaunchErrorChars - _launchErrors.Length));
                    }
                }
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // Stopped: the pipe was closed under the read.
        }
    }
}
