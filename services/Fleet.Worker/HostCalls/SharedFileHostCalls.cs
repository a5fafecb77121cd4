using Fleet.Worker.Runtimes.HostCalls;

namespace Fleet.Worker.HostCalls;

/// <summary>
/// Answers <c>file.read {key, offset?, length?}</c> (a shared file's path, as <c>state.read</c> takes a key) from the
/// shared files' namespace, read-only: <paramref name="files"/> serves the read, every other call goes to
/// <paramref name="next"/>. Offered to Faasm's functions only (Faasm's <c>faasm://</c> paths).
/// </summary>
internal sealed class SharedFileHostCalls(StateHostCalls files, IHostCallHandler next) : IHostCallHandler
{
    public const string Call = "file.read";

    public ValueTask<HostReply> HandleAsync(HostRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Call == Call
            ? files.HandleAsync(request with { Call = "state.read" }, cancellationToken)
            : next.HandleAsync(request, cancellationToken);
    }
}
