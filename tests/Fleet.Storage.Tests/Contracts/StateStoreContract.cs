using System.Security.Cryptography;
using Fleet.Storage.State;
using static Fleet.Storage.Tests.Contracts.StoreTestData;

namespace Fleet.Storage.Tests.Contracts;

/// <summary>What every <see cref="IStateStore"/> must do. Each test keeps its values in a namespace of its own.</summary>
public abstract class StateStoreContract(IStoreFixture fixture)
{
    private const long Max = StoreOptions.DefaultMaxStateValueBytes;

    private readonly string _namespace = Unique("ns");

    private IStateStore State => fixture.Store.State;

    [Fact]
    public async Task An_absent_value_reads_as_null_everywhere_and_deletes_as_false()
    {
        Assert.Null(await State.ReadAsync(_namespace, "none", Ct));
        Assert.Null(await State.ReadRangeAsync(_namespace, "none", 0, 10, Ct));
        Assert.Null(await State.SizeAsync(_namespace, "none", Ct));
        Assert.False(await State.DeleteAsync(_namespace, "none", Ct));
    }

    [Fact]
    public async Task A_written_value_round_trips_bytewise_and_a_second_write_replaces_it()
    {
        // Every byte value, NUL and invalid UTF-8 among them: SQLite's text concatenation must not touch them.
        byte[] first = [.. Enumerable.Range(0, 256).Select(i => (byte)i), .. RandomNumberGenerator.GetBytes(1000)];
        byte[] second = [0xff, 0x00, 0xfe];

        await State.WriteAsync(_namespace, "k", first, Max, Ct);
        Assert.Equal(first, await State.ReadAsync(_namespace, "k", Ct));
        Assert.Equal(first.Length, await State.SizeAsync(_namespace, "k", Ct));

        await State.WriteAsync(_namespace, "k", second, Max, Ct);
        Assert.Equal(second, await State.ReadAsync(_namespace, "k", Ct));
        Assert.Equal(3, await State.SizeAsync(_namespace, "k", Ct));
    }

    [Fact]
    public async Task An_empty_value_exists_with_size_zero()
    {
        await State.WriteAsync(_namespace, "empty", ReadOnlyMemory<byte>.Empty, Max, Ct);

        Assert.Equal(Array.Empty<byte>(), await State.ReadAsync(_namespace, "empty", Ct));
        Assert.Equal(Array.Empty<byte>(), await State.ReadRangeAsync(_namespace, "empty", 0, 5, Ct));
        Assert.Equal(0, await State.SizeAsync(_namespace, "empty", Ct));
        Assert.True(await State.DeleteAsync(_namespace, "empty", Ct));
        Assert.Null(await State.ReadAsync(_namespace, "empty", Ct));
    }

    [Fact]
    public async Task A_range_is_cut_at_the_value_end_and_empty_at_or_past_it()
    {
        byte[] value = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        await State.WriteAsync(_namespace, "r", value, Max, Ct);

        Assert.Equal(new byte[] { 2, 3, 4 }, await State.ReadRangeAsync(_namespace, "r", 2, 3, Ct));
        Assert.Equal(new byte[] { 8, 9 }, await State.ReadRangeAsync(_namespace, "r", 8, 100, Ct));
        Assert.Equal(value, await State.ReadRangeAsync(_namespace, "r", 0, long.MaxValue, Ct));
        Assert.Equal(Array.Empty<byte>(), await State.ReadRangeAsync(_namespace, "r", 4, 0, Ct));
        Assert.Equal(Array.Empty<byte>(), await State.ReadRangeAsync(_namespace, "r", 10, 5, Ct));
        Assert.Equal(Array.Empty<byte>(), await State.ReadRangeAsync(_namespace, "r", long.MaxValue, 5, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => State.ReadRangeAsync(_namespace, "r", -1, 5, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => State.ReadRangeAsync(_namespace, "r", 0, -1, Ct));
    }

    [Fact]
    public async Task Write_at_an_offset_overwrites_inside_extends_at_the_end_and_fills_a_gap_with_zeros()
    {
        await State.WriteAsync(_namespace, "w", new byte[] { 1, 2, 3, 4, 5 }, Max, Ct);

        Assert.Equal(5, await State.WriteAtAsync(_namespace, "w", 1, new byte[] { 9, 9 }, Max, Ct));
        Assert.Equal(new byte[] { 1, 9, 9, 4, 5 }, await State.ReadAsync(_namespace, "w", Ct));

        Assert.Equal(6, await State.WriteAtAsync(_namespace, "w", 4, new byte[] { 7, 7 }, Max, Ct));
        Assert.Equal(new byte[] { 1, 9, 9, 4, 7, 7 }, await State.ReadAsync(_namespace, "w", Ct));

        Assert.Equal(10, await State.WriteAtAsync(_namespace, "w", 8, new byte[] { 0xff, 0x80 }, Max, Ct));
        Assert.Equal(new byte[] { 1, 9, 9, 4, 7, 7, 0, 0, 0xff, 0x80 }, await State.ReadAsync(_namespace, "w", Ct));

        Assert.Equal(10, await State.WriteAtAsync(_namespace, "w", 0, ReadOnlyMemory<byte>.Empty, Max, Ct));
        Assert.Equal(10, await State.SizeAsync(_namespace, "w", Ct));
    }

    [Fact]
    public async Task Write_at_an_offset_creates_an_absent_value_zero_filled()
    {
        Assert.Equal(4, await State.WriteAtAsync(_namespace, "new", 3, new byte[] { 0xab }, Max, Ct));
        Assert.Equal(new byte[] { 0, 0, 0, 0xab }, await State.ReadAsync(_namespace, "new", Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => State.WriteAtAsync(_namespace, "new", -1, new byte[] { 1 }, Max, Ct));
    }

    [Fact]
    public async Task Append_creates_then_grows_and_concurrent_appends_all_land()
    {
        Assert.Equal(2, await State.AppendAsync(_namespace, "log", new byte[] { 0, 0xff }, Max, Ct));
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => State.AppendAsync(_namespace, "log", new byte[] { (byte)i }, Max, Ct)));

        var value = await State.ReadAsync(_namespace, "log", Ct);
        Assert.NotNull(value);
        Assert.Equal(new byte[] { 0, 0xff }, value[..2]);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (byte)i), value[2..].Order());
    }

    [Fact]
    public async Task A_write_past_the_limit_is_refused_and_changes_nothing()
    {
        await State.WriteAsync(_namespace, "big", new byte[8], 10, Ct);

        await Assert.ThrowsAsync<StateValueTooLargeException>(() => State.WriteAsync(_namespace, "big", new byte[11], 10, Ct));
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => State.AppendAsync(_namespace, "big", new byte[3], 10, Ct));
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => State.WriteAtAsync(_namespace, "big", 9, new byte[2], 10, Ct));
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => State.WriteAtAsync(_namespace, "big", long.MaxValue, new byte[1], 10, Ct));
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => State.WriteAtAsync(_namespace, "absent", 10, new byte[1], 10, Ct));
        Assert.Equal(8, await State.SizeAsync(_namespace, "big", Ct));
        Assert.Null(await State.SizeAsync(_namespace, "absent", Ct));

        // Up to the limit exactly is fine.
        Assert.Equal(10, await State.AppendAsync(_namespace, "big", new byte[2], 10, Ct));
        Assert.Equal(10, await State.WriteAtAsync(_namespace, "big", 9, new byte[1], 10, Ct));
    }

    [Fact]
    public async Task A_value_kept_over_a_lowered_limit_may_be_read_and_replaced_but_not_grown()
    {
        await State.WriteAsync(_namespace, "old", new byte[20], 100, Ct);

        await Assert.ThrowsAsync<StateValueTooLargeException>(() => State.AppendAsync(_namespace, "old", new byte[1], 10, Ct));
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => State.WriteAtAsync(_namespace, "old", 0, new byte[1], 10, Ct));
        Assert.Equal(20, await State.SizeAsync(_namespace, "old", Ct));
        await State.WriteAsync(_namespace, "old", new byte[5], 10, Ct);
        Assert.Equal(5, await State.SizeAsync(_namespace, "old", Ct));
    }

    [Fact]
    public async Task Namespaces_keep_their_values_apart()
    {
        var other = Unique("ns");
        await State.WriteAsync(_namespace, "shared-key", new byte[] { 1 }, Max, Ct);
        await State.WriteAsync(other, "shared-key", new byte[] { 2 }, Max, Ct);

        Assert.True(await State.DeleteAsync(other, "shared-key", Ct));

        Assert.Equal(new byte[] { 1 }, await State.ReadAsync(_namespace, "shared-key", Ct));
        Assert.Null(await State.ReadAsync(other, "shared-key", Ct));
    }

    [Fact]
    public async Task A_value_of_the_default_limit_round_trips_and_reads_in_ranges()
    {
        var value = RandomNumberGenerator.GetBytes((int)Max);
        await State.WriteAsync(_namespace, "full", value, Max, Ct);

        Assert.Equal(Max, await State.SizeAsync(_namespace, "full", Ct));
        Assert.Equal(value.AsSpan((int)Max - 1000, 1000).ToArray(), await State.ReadRangeAsync(_namespace, "full", Max - 1000, 5000, Ct));
        await Assert.ThrowsAsync<StateValueTooLargeException>(() => State.AppendAsync(_namespace, "full", new byte[1], Max, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ünï")]
    [InlineData("semi;colon")]
    public async Task A_key_outside_the_rule_is_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => State.WriteAsync(_namespace, key, new byte[] { 1 }, Max, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => State.ReadAsync(_namespace, key, Ct));
    }

    [Fact]
    public async Task The_longest_key_is_taken_and_one_longer_refused()
    {
        var longest = new string('k', StateKeys.MaxLength);

        await State.WriteAsync(_namespace, longest, new byte[] { 1 }, Max, Ct);

        Assert.Equal(new byte[] { 1 }, await State.ReadAsync(_namespace, longest, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => State.ReadAsync(_namespace, longest + "k", Ct));
    }
}
