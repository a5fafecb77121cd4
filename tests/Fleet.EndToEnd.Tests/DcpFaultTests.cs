using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// A DCP job survives a worker killed under it (kill -9): the slices it held come back (its queue hands them on, or
/// their leases end) and run again, and every slice has exactly one result. On a cluster of its own: the job's warm
/// instances stay after it, and other fault tests wait for idle workers.
/// </summary>
[Collection(nameof(DcpFaultCollection))]
public sealed class DcpFaultTests(DcpFaultCluster fleet)
{
    [Fact]
    public async Task Killing_a_worker_during_a_10000_slice_DCP_job_leaves_exactly_10000_right_results()
    {
        var dcp = DcpApi.WithFixture(fleet.Gateway);
        var jobId = await dcp.DeployAsync(new
        {
            slices = Enumerable.Range(1, 10_000),
            work = new { function = "(d) => { const end = Date.now() + 1; while (Date.now() < end) {} return d * 2; }" },
        });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await dcp.StatusAsync(jobId)).GetProperty("completedSlices").GetInt32() < 1000)
        {
            Assert.True(DateTime.UtcNow < deadline, "the job made no progress");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        fleet.Workers[1].Kill();
        var status = await dcp.SettledAsync(jobId, TimeSpan.FromSeconds(240));

        Assert.Equal(("completed", 10_000, 0), (status.GetProperty("status").GetString(), status.GetProperty("completedSlices").GetInt32(), status.GetProperty("failedSlices").GetInt32()));
        Assert.Equal(Enumerable.Range(1, 10_000).Select(n => (n, $"{n * 2}")), await dcp.ResultsAsync(jobId));
    }
}

public sealed class DcpFaultCluster : FleetCluster
{
    /// <summary>The default's order (minutes): the job's calls of a thousand slices are sized to a second, and on a loaded machine take several.</summary>
    protected override int SliceTimeoutSeconds => 300;
}

[CollectionDefinition(nameof(DcpFaultCollection))]
public sealed class DcpFaultCollection : ICollectionFixture<DcpFaultCluster>;
