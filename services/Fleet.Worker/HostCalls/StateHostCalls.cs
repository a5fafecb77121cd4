using System.Data.Common;
using Fleet.Storage.State;
using Fleet.Worker.Runtimes.HostCalls;

namespace Fleet.Worker.HostCalls;

/// <summary>
/// Answers the <c>state.*</c> host calls of one call from the store, in the calling function's namespace (the frame
/// never names one: that is the tenant boundary); hands every other call to <paramref name="next"/>.
/// <list type="bullet">
/// <item><c>state.read {key, offset?, length?}</c> → the bytes as base64, or null when there is no value;</item>
/// <item><c>state.size {key}</c> → bytes, or null; <c>state.delete {key}</c> → whether there was a value;</item>
/// <item><c>state.write {key, value, offset?}</c> (no offset: the value is replaced) and <c>state.append {key, value}</c> → the new size.</item>
/// </list>
/// A bad field, a value over the limit and a store that does not answer are failed replies, never a failed call.
/// </summary>
internal sealed partial class StateHostCalls(
    IStateStore store, string @namespace, long maxValueBytes, IHostCallHandler next, ILogger logger) : IHostCallHandler
{
    /// <summary>The most one read returns: a larger value is read in ranges (base64 makes its frame a third larger).</summary>
    public const int MaxReadBytes = 4 << 20;

    public const string Prefix = "state.";

    public async ValueTask<HostReply> HandleAsync(HostRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Call.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return await next.HandleAsync(request, cancellationToken);
        }

        if (HostFields.Key(request.Frame, out var key) is { } badKey)
        {
            return HostReply.Failed($"{request.Call}: {badKey}");
        }

        try
        {
            return request.Call switch
            {
                "state.read" => await ReadAsync(request, key, cancellationToken),
                "state.size" => HostValues.Of(await store.SizeAsync(@namespace, key, cancellationToken)),
                "state.write" => await WriteAsync(request, key, append: false, cancellationToken),
                "state.append" => await WriteAsync(request, key, append: true, cancellationToken),
                "state.delete" => HostValues.Of(await store.DeleteAsync(@namespace, key, cancellationToken)),
                _ => HostReply.Failed($"host call {request.Call} is not available"),
            };
        }
        catch (StateValueTooLargeException error)
        {
            return HostReply.Failed($"{request.Call}: {error.Message}");
        }
        catch (Exception error) when (error is DbException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            LogStoreFailed(logger, request.Call, error);
            return HostReply.Failed($"{request.Call}: the state store is not available, try again later");
        }
    }

    private async Task<HostReply> ReadAsync(HostRequest request, string key, CancellationToken cancellationToken)
    {
        long? length = null;
        if ((HostFields.Count(request.Frame, "offset", required: false, out var offset)
             ?? HostFields.Count(request.Frame, "length", required: false, out length)) is { } problem)
        {
            return HostReply.Failed($"state.read: {problem}");
        }

        // One byte over the limit tells a value too large to read at once, without reading all of it.
        var wanted = Math.Min(length ?? long.MaxValue, MaxReadBytes + 1L);
        if (await store.ReadRangeAsync(@namespace, key, offset ?? 0, wanted, cancellationToken) is not { } bytes)
        {
            return HostValues.Null;
        }

        return bytes.Length > MaxReadBytes
            ? HostReply.Failed($"state.read: more than {MaxReadBytes} bytes; read it in ranges (offset, length)")
            : HostValues.Base64(bytes);
    }

    private async Task<HostReply> WriteAsync(HostRequest request, string key, bool append, CancellationToken cancellationToken)
    {
        long? offset = null;
        if ((HostFields.Bytes(request.Frame, "value", out var bytes)
             ?? (append ? null : HostFields.Count(request.Frame, "offset", required: false, out offset))) is { } problem)
        {
            return HostReply.Failed($"{request.Call}: {problem}");
        }

        if (append)
        {
            return HostValues.Of(await store.AppendAsync(@namespace, key, bytes, maxValueBytes, cancellationToken));
        }

        if (offset is { } at)
        {
            return HostValues.Of(await store.WriteAtAsync(@namespace, key, at, bytes, maxValueBytes, cancellationToken));
        }

        await store.WriteAsync(@namespace, key, bytes, maxValueBytes, cancellationToken);
        return HostValues.Of((long)bytes.Length);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Host call {Call}: the state store failed")]
    private static partial void LogStoreFailed(ILogger logger, string call, Exception exception);
}
