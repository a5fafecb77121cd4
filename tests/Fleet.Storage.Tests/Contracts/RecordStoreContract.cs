using System.Security.Cryptography;
using Fleet.Storage.Records;
using static Fleet.Storage.Tests.Contracts.StoreTestData;

namespace Fleet.Storage.Tests.Contracts;

/// <summary>
/// What every <see cref="IRecordStore"/> must do. Each test keeps its records in a namespace of its own; the purge
/// spans every namespace, so its test keeps times of its own, far from the others'.
/// </summary>
public abstract class RecordStoreContract(IStoreFixture fixture)
{
    private readonly string _namespace = Unique("ns");

    private IRecordStore Records => fixture.Store.Records;

    [Fact]
    public async Task A_put_value_round_trips_bytewise_and_an_absent_one_is_null()
    {
        byte[] value = [.. Enumerable.Range(0, 256).Select(i => (byte)i), .. RandomNumberGenerator.GetBytes(4000)];

        await Records.PutAsync(_namespace, "k", value, expiresAt: null, Ct);

        Assert.Equal(value, await Records.GetAsync(_namespace, "k", T0, Ct));
        Assert.Null(await Records.GetAsync(_namespace, "other", T0, Ct));
        await Records.PutAsync(_namespace, "empty", ReadOnlyMemory<byte>.Empty, expiresAt: null, Ct);
        Assert.Equal(Array.Empty<byte>(), await Records.GetAsync(_namespace, "empty", T0, Ct));
    }

    [Fact]
    public async Task A_record_reads_as_absent_from_its_expiry_on()
    {
        await Records.PutAsync(_namespace, "k", new byte[] { 1 }, T0.AddSeconds(10), Ct);

        Assert.Equal(new byte[] { 1 }, await Records.GetAsync(_namespace, "k", T0.AddSeconds(10).AddTicks(-10), Ct));
        Assert.Null(await Records.GetAsync(_namespace, "k", T0.AddSeconds(10), Ct));
        Assert.Empty(await Records.ListAsync(_namespace, "", T0.AddSeconds(10), 10, Ct));
    }

    [Fact]
    public async Task A_put_replaces_the_value_and_the_expiry()
    {
        await Records.PutAsync(_namespace, "k", new byte[] { 1 }, T0.AddSeconds(10), Ct);

        await Records.PutAsync(_namespace, "k", new byte[] { 2, 2 }, expiresAt: null, Ct);
        Assert.Equal(new byte[] { 2, 2 }, await Records.GetAsync(_namespace, "k", T0.AddYears(100), Ct));

        await Records.PutAsync(_namespace, "k", new byte[] { 3 }, T0.AddSeconds(5), Ct);
        var record = Assert.Single(await Records.ListAsync(_namespace, "", T0, 10, Ct));
        Assert.Equal(("k", (DateTimeOffset?)T0.AddSeconds(5)), (record.Key, record.ExpiresAt));
        Assert.Equal(new byte[] { 3 }, record.Value);
        Assert.Null(await Records.GetAsync(_namespace, "k", T0.AddSeconds(5), Ct));
    }

    [Fact]
    public async Task Add_creates_only_when_the_key_has_no_value_or_an_expired_one()
    {
        Assert.True(await Records.AddAsync(_namespace, "k", new byte[] { 1 }, T0.AddSeconds(10), T0, Ct));
        Assert.False(await Records.AddAsync(_namespace, "k", new byte[] { 2 }, expiresAt: null, T0.AddSeconds(9), Ct));
        Assert.Equal(new byte[] { 1 }, await Records.GetAsync(_namespace, "k", T0, Ct));

        Assert.True(await Records.AddAsync(_namespace, "k", new byte[] { 3 }, expiresAt: null, T0.AddSeconds(10), Ct));
        Assert.Equal(new byte[] { 3 }, await Records.GetAsync(_namespace, "k", T0.AddYears(100), Ct));
        Assert.False(await Records.AddAsync(_namespace, "k", new byte[] { 4 }, T0.AddSeconds(1), T0.AddYears(100), Ct));
        Assert.Equal(new byte[] { 3 }, await Records.GetAsync(_namespace, "k", T0.AddYears(100), Ct));
    }

    [Fact]
    public async Task Delete_answers_whether_there_was_a_value()
    {
        await Records.PutAsync(_namespace, "k", new byte[] { 1 }, expiresAt: null, Ct);

        Assert.True(await Records.DeleteAsync(_namespace, "k", Ct));
        Assert.Null(await Records.GetAsync(_namespace, "k", T0, Ct));
        Assert.False(await Records.DeleteAsync(_namespace, "k", Ct));
    }

    [Fact]
    public async Task A_listing_takes_the_unexpired_keys_with_the_prefix_in_ordinal_order_up_to_the_limit()
    {
        // Upper case sorts before lower case, and '~' after both: ordinal, not linguistic, order.
        string[] keys = ["run/b", "run/B", "run/a~", "run/a", "run/", "runs", "ru", "upload/1"];
        foreach (var key in keys)
        {
            await Records.PutAsync(_namespace, key, new byte[] { (byte)key.Length }, expiresAt: null, Ct);
        }

        await Records.PutAsync(_namespace, "run/c", new byte[] { 9 }, T0, Ct);
        await Records.PutAsync(_namespace, "run/d", new byte[] { 9 }, T0.AddSeconds(1), Ct);

        Assert.Equal(["run/", "run/B", "run/a", "run/a~", "run/b", "run/d"], Keys(await Records.ListAsync(_namespace, "run/", T0, 10, Ct)));
        Assert.Equal(["run/", "run/B", "run/a"], Keys(await Records.ListAsync(_namespace, "run/", T0, 3, Ct)));
        Assert.Equal(["ru", "run/", "run/B", "run/a", "run/a~", "run/b", "runs"], Keys(await Records.ListAsync(_namespace, "ru", T0.AddSeconds(1), 10, Ct)));
        Assert.Equal(keys.Length + 1, (await Records.ListAsync(_namespace, "", T0, 100, Ct)).Count);
        Assert.Empty(await Records.ListAsync(_namespace, "run/z", T0, 10, Ct));

        var record = Assert.Single(await Records.ListAsync(_namespace, "run/d", T0, 10, Ct));
        Assert.Equal(("run/d", (DateTimeOffset?)T0.AddSeconds(1)), (record.Key, record.ExpiresAt));
        Assert.Equal(new byte[] { 9 }, record.Value);
        Assert.Null((await Records.ListAsync(_namespace, "upload/", T0, 10, Ct)).Single().ExpiresAt);
    }

    [Fact]
    public async Task A_prefix_with_LIKE_wildcards_matches_them_literally()
    {
        foreach (var key in new[] { "a%b", "a%bc", "axb", "a_c", "abc", "a\\%b" })
        {
            await Records.PutAsync(_namespace, key, new byte[] { 1 }, expiresAt: null, Ct);
        }

        Assert.Equal(["a%b", "a%bc"], Keys(await Records.ListAsync(_namespace, "a%", T0, 10, Ct)));
        Assert.Equal(["a_c"], Keys(await Records.ListAsync(_namespace, "a_", T0, 10, Ct)));
        Assert.Equal(["a\\%b"], Keys(await Records.ListAsync(_namespace, "a\\", T0, 10, Ct)));
    }

    [Fact]
    public async Task A_purge_deletes_the_expired_records_only()
    {
        // Far from the other tests' times, so that their records are not counted here.
        var now = T0.AddYears(-20);
        await Records.PutAsync(_namespace, "old", new byte[] { 1 }, now.AddSeconds(-1), Ct);
        await Records.PutAsync(_namespace, "now", new byte[] { 2 }, now, Ct);
        await Records.PutAsync(_namespace, "later", new byte[] { 3 }, now.AddTicks(10), Ct);
        await Records.PutAsync(_namespace, "never", new byte[] { 4 }, expiresAt: null, Ct);

        Assert.Equal(2, await Records.PurgeAsync(now, Ct));

        Assert.False(await Records.DeleteAsync(_namespace, "old", Ct));
        Assert.False(await Records.DeleteAsync(_namespace, "now", Ct));
        Assert.Equal(["later", "never"], Keys(await Records.ListAsync(_namespace, "", now, 10, Ct)));
    }

    [Fact]
    public async Task Namespaces_keep_their_records_apart()
    {
        var other = Unique("ns");
        await Records.PutAsync(_namespace, "k", new byte[] { 1 }, expiresAt: null, Ct);

        Assert.Null(await Records.GetAsync(other, "k", T0, Ct));
        Assert.Empty(await Records.ListAsync(other, "", T0, 10, Ct));
        Assert.False(await Records.DeleteAsync(other, "k", Ct));
        Assert.True(await Records.AddAsync(other, "k", new byte[] { 2 }, expiresAt: null, T0, Ct));

        Assert.Equal(new byte[] { 1 }, await Records.GetAsync(_namespace, "k", T0, Ct));
        Assert.Equal(new byte[] { 2 }, await Records.GetAsync(other, "k", T0, Ct));
    }

    [Fact]
    public async Task Keys_values_and_limits_outside_the_rule_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Records.PutAsync(_namespace, "", new byte[] { 1 }, null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Records.PutAsync(_namespace, "a b", new byte[] { 1 }, null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Records.PutAsync(_namespace, "ü", new byte[] { 1 }, null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Records.PutAsync("", "k", new byte[] { 1 }, null, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Records.GetAsync(_namespace, new string('k', RecordKeys.MaxLength + 1), T0, Ct));
        await Assert.ThrowsAsync<ArgumentException>(
            () => Records.AddAsync(_namespace, "k", new byte[RecordKeys.MaxValueBytes + 1], null, T0, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Records.ListAsync(_namespace, "a\u007f", T0, 10, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Records.ListAsync(_namespace, "", T0, 0, Ct));

        Assert.Empty(await Records.ListAsync(_namespace, "", T0, 10, Ct));
        await Records.PutAsync(_namespace, new string('k', RecordKeys.MaxLength), new byte[RecordKeys.MaxValueBytes], null, Ct);
    }

    private static string[] Keys(IReadOnlyList<StoredRecord> records) => [.. records.Select(r => r.Key)];
}
