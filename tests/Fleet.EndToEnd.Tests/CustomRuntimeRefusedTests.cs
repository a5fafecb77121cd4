using System.Net;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>Without a worker that has a container engine, Serverledge's custom runtime is an invalid runtime, as upstream's docs put it.</summary>
[Collection(nameof(NoEngineCollection))]
public sealed class CustomRuntimeRefusedTests(NoEngineCluster fleet)
{
    [Fact]
    public async Task Custom_runtime_is_refused_when_no_worker_has_a_container_engine()
    {
        var api = new ServerledgeApi(fleet.Gateway);

        using var response = await api.CreateCustomAsync(ServerledgeApi.UniqueName("custom"), CustomImage.BaseImage);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Invalid runtime.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}

[CollectionDefinition(nameof(NoEngineCollection))]
public sealed class NoEngineCollection : ICollectionFixture<NoEngineCluster>;
