using System.Security.Cryptography;
using Fleet.Storage.Blobs;
using static Fleet.Storage.Tests.Contracts.StoreTestData;

namespace Fleet.Storage.Tests.Contracts;

/// <summary>What every <see cref="IBlobStore"/> must do. Blobs are keyed by their content: each test makes bytes of its own.</summary>
public abstract class BlobStoreContract(IStoreFixture fixture)
{
    private IBlobStore Blobs => fixture.Store.Blobs;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task Put_twice_keeps_one_copy_and_bytes_round_trip()
    {
        var bytes = RandomNumberGenerator.GetBytes(4096);
        var hash = Hash(bytes);

        await Blobs.PutAsync(hash, bytes, expiresAt: null, Ct);
        await Blobs.PutAsync(hash, bytes.AsMemory(), expiresAt: null, Ct);

        Assert.Equal(bytes, await Blobs.GetAsync(hash, Now, Ct));
    }

    [Fact]
    public async Task A_slice_of_a_larger_buffer_stores_only_the_slice()
    {
        var buffer = RandomNumberGenerator.GetBytes(1000);
        var slice = buffer.AsMemory(100, 500);

        await Blobs.PutAsync(Hash(slice.Span), slice, expiresAt: null, Ct);

        Assert.Equal(slice.ToArray(), await Blobs.GetAsync(Hash(slice.Span), Now, Ct));
    }

    [Fact]
    public async Task A_blob_of_5_MB_round_trips()
    {
        var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);

        await Blobs.PutAsync(Hash(bytes), bytes, expiresAt: null, Ct);

        Assert.Equal(bytes, await Blobs.GetAsync(Hash(bytes), Now, Ct));
    }

    [Fact]
    public async Task A_blob_under_a_wrong_hash_is_refused()
    {
        var bytes = RandomNumberGenerator.GetBytes(64);
        var wrong = Hash(RandomNumberGenerator.GetBytes(64));

        await Assert.ThrowsAsync<ArgumentException>(() => Blobs.PutAsync(wrong, bytes, expiresAt: null, Ct));

        Assert.Null(await Blobs.GetAsync(wrong, Now, Ct));
    }

    [Fact]
    public async Task An_empty_blob_round_trips_and_an_unknown_one_is_null()
    {
        await Blobs.PutAsync(Hash([]), ReadOnlyMemory<byte>.Empty, expiresAt: null, Ct);

        var stored = await Blobs.GetAsync(Hash([]), Now, Ct);
        Assert.NotNull(stored);
        Assert.Empty(stored);
        Assert.Null(await Blobs.GetAsync(Hash(RandomNumberGenerator.GetBytes(8)), Now, Ct));
    }

    [Fact]
    public async Task A_blob_with_an_expiry_is_gone_from_reads_once_it_passes()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        await Blobs.PutAsync(Hash(bytes), bytes, T0.AddMinutes(5), Ct);

        Assert.Equal(bytes, await Blobs.GetAsync(Hash(bytes), T0.AddMinutes(5).AddTicks(-10), Ct));
        Assert.Null(await Blobs.GetAsync(Hash(bytes), T0.AddMinutes(5), Ct));
    }

    [Fact]
    public async Task Put_again_keeps_the_later_expiry_and_no_expiry_wins_over_any()
    {
        byte[] extended = RandomNumberGenerator.GetBytes(32), kept = RandomNumberGenerator.GetBytes(32);
        await Blobs.PutAsync(Hash(extended), extended, T0.AddMinutes(10), Ct);
        await Blobs.PutAsync(Hash(extended), extended, T0.AddMinutes(5), Ct);
        await Blobs.PutAsync(Hash(kept), kept, T0.AddMinutes(5), Ct);
        await Blobs.PutAsync(Hash(kept), kept, expiresAt: null, Ct);
        await Blobs.PutAsync(Hash(kept), kept, T0.AddMinutes(1), Ct);

        Assert.Equal(extended, await Blobs.GetAsync(Hash(extended), T0.AddMinutes(9), Ct));
        Assert.Null(await Blobs.GetAsync(Hash(extended), T0.AddMinutes(10), Ct));
        Assert.Equal(kept, await Blobs.GetAsync(Hash(kept), T0.AddYears(100), Ct));
    }

    [Fact]
    public async Task Purge_deletes_unused_blobs_that_expired_or_were_put_without_expiry_before_the_cutoff()
    {
        // A database of its own: purging is global, and no test may touch another's rows.
        var store = fixture.OpenStore(await fixture.CreateEmptyDatabaseAsync(Ct));
        await store.MigrateAsync(Ct);
        byte[] package = [1], orphan = [2], expired = [3], expiredButUsed = [4], live = [5];
        foreach (var bytes in new[] { package, orphan })
        {
            await store.Blobs.PutAsync(Hash(bytes), bytes, expiresAt: null, Ct);
        }

        await store.Blobs.PutAsync(Hash(expired), expired, Now.AddMinutes(-1), Ct);
        await store.Blobs.PutAsync(Hash(expiredButUsed), expiredButUsed, Now.AddMinutes(-1), Ct);
        await store.Blobs.PutAsync(Hash(live), live, Now.AddHours(1), Ct);
        Assert.True(await store.Functions.TryCreateAsync(Spec(Unique("fn")) with { PackageHash = Hash(package) }, Ct));
        Assert.True(await store.Functions.TryCreateAsync(Spec(Unique("fn"), Unique("ns")) with { PackageHash = Hash(expiredButUsed) }, Ct));

        // Put just now: the orphan is within its grace, only the expired blob goes.
        Assert.Equal(1, await store.Blobs.PurgeAsync(Now, Now.AddMinutes(-5), Ct));
        Assert.Equal(orphan, await store.Blobs.GetAsync(Hash(orphan), Now, Ct));

        Assert.Equal(1, await store.Blobs.PurgeAsync(Now, Now.AddMinutes(5), Ct));

        Assert.Equal(package, await store.Blobs.GetAsync(Hash(package), Now, Ct));
        Assert.Null(await store.Blobs.GetAsync(Hash(orphan), Now, Ct));
        Assert.Equal(live, await store.Blobs.GetAsync(Hash(live), Now, Ct));
        Assert.Equal(0, await store.Blobs.PurgeAsync(Now, Now.AddMinutes(5), Ct));
        Assert.Equal(expiredButUsed, await store.Blobs.GetAsync(Hash(expiredButUsed), Now.AddMinutes(-2), Ct));
    }
}
