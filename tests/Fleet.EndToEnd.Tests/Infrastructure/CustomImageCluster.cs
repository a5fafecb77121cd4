namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Two workers, the first with the local Docker engine and the second without one (so custom calls must be placed on
/// the first), and a custom image of the tests' own built before the fleet starts.
/// </summary>
public sealed class CustomImageCluster : FleetCluster
{
    internal CustomImage Image { get; private set; } = null!;

    /// <summary>The worker with the engine.</summary>
    internal string EngineWorkerId => WorkerId(1);

    protected override IReadOnlyDictionary<string, string> WorkerSettings(int n) =>
        n == 1 ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Worker__DockerEndpoint"] = "" };

    public override async ValueTask InitializeAsync()
    {
        Image = await CustomImage.BuildAsync();
        try
        {
            await base.InitializeAsync();
        }
        catch
        {
            await Image.DisposeAsync();
            await DockerCli.RemoveContainersAsync($"fleet.worker={EngineWorkerId}");
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            // The stopped worker removed its containers; these are what a failure left.
            await DockerCli.RemoveContainersAsync($"fleet.worker={EngineWorkerId}");
            if (Image is not null)
            {
                await Image.DisposeAsync();
            }
        }
    }
}
