using System.Text;
using Fleet.Core.Records;
using Fleet.Gateway.Facades.Fastmap;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Facades.Tests;

/// <summary>Fastmap's sweep over the real store: what it keeps and what it deletes.</summary>
public sealed class FastmapRunsTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_function_record_whose_last_use_is_not_a_time_is_swept_as_long_unused_not_a_failure_of_the_sweep()
    {
        var records = fleet.Services.GetRequiredService<FacadeRecords>();
        var runs = fleet.Services.GetRequiredService<FastmapRuns>();
        var recent = Encoding.ASCII.GetBytes(records.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await records.PutAsync("fastmap", "function/0123456789abcdef/aaaa", "not a time"u8.ToArray(), null, Cancel);
        await records.PutAsync("fastmap", "function/0123456789abcdef/bbbb", recent, null, Cancel);

        var released = await runs.SweepAsync(Cancel);

        Assert.Equal(1, released);
        Assert.Null(await records.GetAsync("fastmap", "function/0123456789abcdef/aaaa", Cancel));
        Assert.Equal(recent, await records.GetAsync("fastmap", "function/0123456789abcdef/bbbb", Cancel));
    }
}
