using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Fastmap's API on the distributed fleet, driven by our own Python client with real dill pickles
/// (tests/fastmap/scenarios.py, one scenario a test): a payload over 20 MiB in two parts, ten concurrent batches
/// in order, local modules, errors as the client reads them, INITALIZING while a function is prepared, tenants apart.
/// </summary>
[Collection(nameof(FleetCollection))]
public sealed class FastmapTests(FleetCluster fleet)
{
    [Theory]
    [InlineData("big_upload_concurrent_maps_and_done")]
    [InlineData("processed_batch_wire")]
    [InlineData("local_modules")]
    [InlineData("raising_function")]
    [InlineData("bad_signature_and_unknown_hash")]
    [InlineData("tenants_apart")]
    [InlineData("initializing_then_processed")]
    [InlineData("initialization_errors")]
    [InlineData("timeout")]
    [InlineData("corrupt_batch")]
    public async Task Scenario(string scenario)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "fastmap", "scenarios.py");

        var output = await ClientPrograms.RunAsync("/usr/bin/python3", script, fleet.GatewayUrl.ToString().TrimEnd('/'), scenario);

        Assert.Equal("ok", output.Trim());
    }
}
