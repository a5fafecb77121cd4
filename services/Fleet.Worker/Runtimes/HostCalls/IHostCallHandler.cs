namespace Fleet.Worker.Runtimes.HostCalls;

/// <summary>
/// Answers the host requests a function makes during its call (state, chained calls, progress). The caller of a call
/// passes one in; <see cref="UnavailableHostCalls"/> when it offers none. A failed reply reaches the function as an exception.
/// </summary>
internal interface IHostCallHandler
{
    ValueTask<HostReply> HandleAsync(HostRequest request, CancellationToken cancellationToken);
}
