namespace Fleet.Worker.Runtimes.HostCalls;

/// <summary>Fails every host call: what a call gets when its caller offers none.</summary>
internal sealed class UnavailableHostCalls : IHostCallHandler
{
    public static UnavailableHostCalls Instance { get; } = new();

    public ValueTask<HostReply> HandleAsync(HostRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ValueTask.FromResult(HostReply.Failed($"host call {request.Call} is not available"));
    }
}
