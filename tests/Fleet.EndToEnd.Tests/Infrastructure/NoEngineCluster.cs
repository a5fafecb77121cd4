namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>One worker whose Docker endpoint answers nothing: it offers no custom runtime.</summary>
public sealed class NoEngineCluster : FleetCluster
{
    protected override int WorkerCount => 1;

    protected override IReadOnlyDictionary<string, string> Settings =>
        new Dictionary<string, string> { ["Worker__DockerEndpoint"] = "unix:///nonexistent/docker.sock" };
}
