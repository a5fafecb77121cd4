using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Contracts;

namespace Fleet.Worker.Runtimes.Containers;

/// <summary>
/// One container made from a custom function's image, serving one call at a time through the executor it runs on port
/// 8080 (<see cref="ExecutorWire"/>). The container has no network at all (network mode none: only its own loopback);
/// the worker reaches the executor through a socket made in the container's network namespace
/// (<see cref="NetworkNamespace"/>). Memory, CPU and process limits are the engine's cgroups.
/// </summary>
internal sealed class ContainerInstance : IInstance, IAsyncDisposable
{
    private static readonly TimeSpan MinimumStartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(25);
    private static readonly IPEndPoint Executor = new(IPAddress.Loopback, ExecutorWire.Port);

    private readonly ContainerEngine _engine;
    private readonly string _containerId;
    private readonly int _pid;
    private readonly string _handler;
    private readonly int _maxResultBytes;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private int _stopped;

    private ContainerInstance(
        string id, FunctionSpec function, ContainerEngine engine, string containerId, int pid, int maxResultBytes, TimeProvider time)
    {
        Id = id;
        Key = new InstanceKey(function.Key, function.Generation);
        MemoryMB = function.MemoryMB;
        _engine = engine;
        _containerId = containerId;
        _pid = pid;
        _handler = function.Handler;
        _maxResultBytes = maxResultBytes;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
                new NetworkStream(await NetworkNamespace.ConnectAsync(pid, Executor, cancellationToken), ownsSocket: true),
            MaxConnectionsPerServer = 1,
            UseProxy = false,
            AllowAutoRedirect = false,
        };

        // Result and output, each up to the limit, escaped as JSON strings.
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://executor:{ExecutorWire.Port}"),
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = Math.Min(int.MaxValue, (12L * maxResultBytes) + 4096),
        };
    }

    public string Id { get; }

    public InstanceKey Key { get; }

    public int MemoryMB { get; }

    /// <summary>The engine's id of the container.</summary>
    public string ContainerId => _containerId;

    public DateTimeOffset LastUsed { get; set; }

    public bool Broken { get; private set; }

    /// <summary>Not broken, and the container's first process still runs.</summary>
    public bool CanServe()
    {
        if (!Broken && !Directory.Exists($"/proc/{_pid}"))
        {
            Broken = true;
        }

        return !Broken;
    }

    /// <summary>
    /// Creates and starts a container of the function's image and waits until its executor accepts connections; throws
    /// <see cref="InstanceStartException"/> with the reason (no such image here, the engine refused, it exited).
    /// </summary>
    public static async Task<ContainerInstance> StartAsync(
        string id, FunctionSpec function, ContainerEngine engine, int maxProcesses, int maxResultBytes, TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(engine);
        var image = function.CustomImage ?? throw new InstanceStartException("the function names no image");
        string containerId;
        try
        {
            var created = await engine.Client.Containers.CreateContainerAsync(Parameters(id, function, engine.WorkerId, maxProcesses), cancellationToken);
            containerId = created.ID;
        }
        catch (DockerImageNotFoundException)
        {
            throw new InstanceStartException($"image '{image}' is not on this worker (images are not pulled)");
        }
        catch (Exception error) when (error is DockerApiException or HttpRequestException or IOException)
        {
            throw new InstanceStartException($"the container engine refused the container: {Reason(error)}", error);
        }

        try
        {
            await engine.Client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken);
            var pid = await RunningPidAsync(engine, containerId, cancellationToken)
                ?? throw new InstanceStartException("the container exited at once");
            var instance = new ContainerInstance(id, function, engine, containerId, pid, maxResultBytes, time);
            try
            {
                var timeout = TimeSpan.FromSeconds(Math.Max(MinimumStartTimeout.TotalSeconds, function.TimeoutSeconds));
                await instance.WaitUntilListeningAsync(timeout, cancellationToken);
                return instance;
            }
            catch
            {
                await instance.StopAsync();
                throw;
            }
        }
        catch (Exception error) when (error is DockerApiException or HttpRequestException or IOException)
        {
            await engine.RemoveAsync(containerId, CancellationToken.None);
            throw new InstanceStartException($"the container did not start: {Reason(error)}", error);
        }
        catch
        {
            await engine.RemoveAsync(containerId, CancellationToken.None);
            throw;
        }
    }

    /// <summary>No network, the function's memory (no swap beyond it) and cores, a pids limit, no capabilities, no privilege gain.</summary>
    internal static CreateContainerParameters Parameters(string id, FunctionSpec function, string workerId, int maxProcesses) => new()
    {
        Image = function.CustomImage,
        Labels = new Dictionary<string, string>
        {
            [ContainerEngine.WorkerLabel] = workerId,
            [ContainerEngine.InstanceLabel] = id,
            ["fleet.function"] = function.Key,
        },
        NetworkDisabled = true,
        HostConfig = new HostConfig
        {
            NetworkMode = "none",
            Memory = function.MemoryMB > 0 ? (long)function.MemoryMB << 20 : 0,
            MemorySwap = function.MemoryMB > 0 ? (long)function.MemoryMB << 20 : 0,
            NanoCPUs = function.CpuDemand > 0 ? (long)(function.CpuDemand * 1e9) : 0,
            PidsLimit = maxProcesses,
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges"],
            AutoRemove = false,
        },
    };

    public async Task<Execution> CallAsync(CallRequest request, int timeoutSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var startedAt = _time.GetUtcNow();
        if (request.IsBatch || request.Items.Count != 1 || request.Convention != CallConventions.JsonHandler || request.Items[0].Json is not { } json)
        {
            return Failed("the custom runtime runs single json-handler calls only", startedAt, 0);
        }

        byte[] body;
        try
        {
            body = ExecutorWire.Request(json, _handler, request.ReturnOutput);
        }
        catch (System.Text.Json.JsonException)
        {
            return Failed("params are not JSON", startedAt, 0);
        }

        var started = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds) : Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        byte[] reply;
        HttpStatusCode status;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync(ExecutorWire.InvokePath, content, linked.Token);
            status = response.StatusCode;
            reply = await response.Content.ReadAsByteArrayAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The pool removes a broken instance's container: the call's processes go with it.
            Broken = true;
            return new Execution
            {
                Status = InvocationStatus.TimedOut,
                Error = $"timed out after {timeoutSeconds}s",
                StartedAt = startedAt,
                Duration = _time.GetElapsedTime(started).TotalSeconds,
            };
        }
        catch (OperationCanceledException)
        {
            Broken = true;
            throw;
        }
        catch (Exception error) when (error is HttpRequestException or IOException or SocketException)
        {
            var reason = CanServe() ? $"the executor did not answer ({error.GetType().Name})" : "instance exited";
            Broken = true;
            return Failed(reason, startedAt, _time.GetElapsedTime(started).TotalSeconds);
        }

        var duration = _time.GetElapsedTime(started).TotalSeconds;
        if (status != HttpStatusCode.OK)
        {
            return Failed(string.Create(CultureInfo.InvariantCulture, $"the executor answered {(int)status}"), startedAt, duration);
        }

        return ExecutorWire.Reply(reply) is { } result
            ? Completed(result, request.ReturnOutput, startedAt, duration)
            : Failed("the executor sent a malformed reply", startedAt, duration);
    }

    /// <summary>Kills and removes the container; false when the engine could not remove it (its start-up sweep will).</summary>
    public async Task<bool> StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return true;
        }

        Broken = true;
        _http.Dispose();
        return await _engine.RemoveAsync(_containerId, CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private Execution Completed(ExecutorResult result, bool returnOutput, DateTimeOffset startedAt, double duration)
    {
        var output = returnOutput ? OutputText.Cut(result.Output, _maxResultBytes) : "";
        if (!result.Success)
        {
            // Upstream's words for a command that exited non-zero.
            return Failed("Function execution failed", startedAt, duration) with { Stdout = output };
        }

        var bytes = ExecutorWire.Utf8Bytes(result.Result);
        if (bytes > _maxResultBytes)
        {
            return Failed(
                string.Create(CultureInfo.InvariantCulture, $"result of {bytes} bytes is larger than the limit of {_maxResultBytes} bytes"),
                startedAt, duration);
        }

        return new Execution
        {
            Status = InvocationStatus.Succeeded,
            Result = result.Result,
            Stdout = output,
            StartedAt = startedAt,
            Duration = duration,
        };
    }

    private static Execution Failed(string error, DateTimeOffset startedAt, double duration) => new()
    {
        Status = InvocationStatus.Failed,
        Error = error,
        ReturnCode = 1,
        StartedAt = startedAt,
        Duration = duration,
    };

    /// <summary>Connects until the executor accepts, the container exits, or the start times out.</summary>
    private async Task WaitUntilListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            try
            {
                using var probe = await NetworkNamespace.ConnectAsync(_pid, Executor, cancellationToken);
                return;
            }
            catch (SocketException) when (_time.GetElapsedTime(started) < timeout)
            {
                if (!CanServe())
                {
                    var state = await _engine.Client.Containers.InspectContainerAsync(_containerId, cancellationToken);
                    throw new InstanceStartException(string.Create(
                        CultureInfo.InvariantCulture, $"the container exited (code {state.State.ExitCode}) before its executor listened on port {ExecutorWire.Port}"));
                }

                await Task.Delay(ReadyPoll, _time, cancellationToken);
            }
            catch (SocketException)
            {
                throw new InstanceStartException(string.Create(
                    CultureInfo.InvariantCulture, $"start timed out after {timeout.TotalSeconds}s: nothing listened on port {ExecutorWire.Port}"));
            }
            catch (IOException error)
            {
                // The namespace could not be entered: the process is gone, or the worker may not enter it.
                throw new InstanceStartException(error.Message, error);
            }
        }
    }

    private static async Task<int?> RunningPidAsync(ContainerEngine engine, string containerId, CancellationToken cancellationToken)
    {
        var inspected = await engine.Client.Containers.InspectContainerAsync(containerId, cancellationToken);
        return inspected.State is { Running: true, Pid: > 0 } state ? (int)state.Pid : null;
    }

    private static string Reason(Exception error) =>
        error is DockerApiException api ? api.ResponseBody.Trim() : error.GetType().Name;
}
