using System.Text.Json;
using Fleet.Storage;
using Fleet.Storage.State;
using Fleet.Worker.HostCalls;
using Fleet.Worker.Runtimes.HostCalls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Worker.Tests;

/// <summary>
/// The <c>state.*</c> host calls against a real SQLite store: every field of the (untrusted) frame checked, one
/// namespace per handler whatever the frame says, and a failing store a failed reply.
/// </summary>
public sealed class StateHostCallsTests : IAsyncLifetime
{
    private readonly StateStoreFile _file = new();
    private IFleetStore _store = null!;
    private long _id;

    public async ValueTask InitializeAsync() => _store = await _file.MigratedAsync();

    public ValueTask DisposeAsync() => _file.DisposeAsync();

    [Fact]
    public async Task Write_append_read_size_and_delete_answer_with_json_values()
    {
        var state = Handler("tenant-a");

        Assert.Equal(("5"), Value(await CallAsync(state, "state.write", """{"key": "k", "value": "aGVsbG8="}""")));
        Assert.Equal("11", Value(await CallAsync(state, "state.append", """{"key": "k", "value": "IHdvcmxk"}""")));
        Assert.Equal("\"d29ybGQ=\"", Value(await CallAsync(state, "state.read", """{"key": "k", "offset": 6, "length": 100}""")));
        Assert.Equal("11", Value(await CallAsync(state, "state.write", """{"key": "k", "value": "Sg==", "offset": 0}""")));
        Assert.Equal("\"SmVsbG8gd29ybGQ=\"", Value(await CallAsync(state, "state.read", """{"key": "k"}""")));
        Assert.Equal("11", Value(await CallAsync(state, "state.size", """{"key": "k"}""")));
        Assert.Equal("true", Value(await CallAsync(state, "state.delete", """{"key": "k"}""")));
        Assert.Equal("false", Value(await CallAsync(state, "state.delete", """{"key": "k"}""")));
        Assert.Equal("null", Value(await CallAsync(state, "state.read", """{"key": "k"}""")));
        Assert.Equal("null", Value(await CallAsync(state, "state.size", """{"key": "k"}""")));
    }

    [Theory]
    [InlineData("state.read", """{}""", "state.read: key must be a string")]
    [InlineData("state.read", """{"key": 7}""", "state.read: key must be a string")]
    [InlineData("state.read", """{"key": ""}""", "state.read: a state key must not be empty")]
    [InlineData("state.size", """{"key": "../etc/passwd\u0000"}""", "state.size: a state key holds only ASCII letters, digits and - _ . : / @ + =")]
    [InlineData("state.read", """{"key": "k", "offset": -1}""", "state.read: offset must be a whole number of 0 or more")]
    [InlineData("state.read", """{"key": "k", "offset": 1.5}""", "state.read: offset must be a whole number of 0 or more")]
    [InlineData("state.read", """{"key": "k", "length": "10"}""", "state.read: length must be a whole number of 0 or more")]
    [InlineData("state.read", """{"key": "k", "offset": 1e300}""", "state.read: offset must be a whole number of 0 or more")]
    [InlineData("state.write", """{"key": "k"}""", "state.write: value must be a base64 string")]
    [InlineData("state.write", """{"key": "k", "value": [1, 2]}""", "state.write: value must be a base64 string")]
    [InlineData("state.write", """{"key": "k", "value": "not base64!"}""", "state.write: value is not valid base64")]
    [InlineData("state.write", """{"key": "k", "value": "AA==", "offset": 18446744073709551615}""", "state.write: offset must be a whole number of 0 or more")]
    [InlineData("state.write", """{"key": "k", "value": "AA==", "offset": 9223372036854775807}""", "state.write: state value k would be larger than 64 bytes")]
    [InlineData("state.append", """{"key": "k", "value": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""", "state.append: state value k would be larger than 64 bytes")]
    [InlineData("state.truncate", """{"key": "k"}""", "host call state.truncate is not available")]
    public async Task A_bad_field_is_a_failed_reply_that_changes_nothing(string call, string fields, string error)
    {
        var reply = await CallAsync(Handler("tenant-a", maxValueBytes: 64), call, fields);

        Assert.Equal((false, error), (reply.Ok, reply.Error));
        Assert.Null(await _store.State.SizeAsync("tenant-a", "k", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_function_reaches_its_own_namespace_only_whatever_the_frame_names()
    {
        var a = Handler("tenant-a");
        var b = Handler("tenant-b");

        await CallAsync(a, "state.write", """{"key": "shared", "value": "AQ==", "namespace": "tenant-b"}""");

        Assert.Equal("null", Value(await CallAsync(b, "state.read", """{"key": "shared", "namespace": "tenant-a"}""")));
        Assert.Equal("false", Value(await CallAsync(b, "state.delete", """{"key": "shared"}""")));
        Assert.Equal(new byte[] { 1 }, await _store.State.ReadAsync("tenant-a", "shared", TestContext.Current.CancellationToken));
        Assert.Null(await _store.State.ReadAsync("tenant-b", "shared", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_value_larger_than_one_read_takes_is_read_in_ranges()
    {
        var value = new byte[StateHostCalls.MaxReadBytes + 1];
        value[^1] = 0xee;
        await _store.State.WriteAsync("tenant-a", "large", value, StoreOptions.DefaultMaxStateValueBytes, TestContext.Current.CancellationToken);
        var state = Handler("tenant-a");

        var whole = await CallAsync(state, "state.read", """{"key": "large"}""");
        var tail = await CallAsync(state, "state.read", $$"""{"key": "large", "offset": {{StateHostCalls.MaxReadBytes}}}""");

        Assert.Equal((false, $"state.read: more than {StateHostCalls.MaxReadBytes} bytes; read it in ranges (offset, length)"), (whole.Ok, whole.Error));
        Assert.Equal("\"7g==\"", Value(tail));
    }

    [Fact]
    public async Task A_store_that_fails_is_a_failed_reply_with_the_reason_not_a_thrown_error()
    {
        await using var unmigrated = new StateStoreFile();
        var state = new StateHostCalls(unmigrated.Store.State, "tenant-a", 1024, UnavailableHostCalls.Instance, NullLogger.Instance);

        var reply = await CallAsync(state, "state.write", """{"key": "k", "value": "AQ=="}""");

        Assert.Equal((false, "state.write: the state store is not available, try again later"), (reply.Ok, reply.Error));
    }

    [Fact]
    public async Task Other_calls_go_to_the_next_handler()
    {
        var reply = await CallAsync(Handler("tenant-a"), "invoke", """{"function": "f"}""");

        Assert.Equal((false, "host call invoke is not available"), (reply.Ok, reply.Error));
    }

    private StateHostCalls Handler(string @namespace, long maxValueBytes = StoreOptions.DefaultMaxStateValueBytes) =>
        new(_store.State, @namespace, maxValueBytes, UnavailableHostCalls.Instance, NullLogger.Instance);

    private async Task<HostReply> CallAsync(StateHostCalls handler, string call, string fields)
    {
        using var document = JsonDocument.Parse(fields);
        var request = new HostRequest(++_id, call, document.RootElement.Clone());
        return await handler.HandleAsync(request, TestContext.Current.CancellationToken);
    }

    private static string Value(HostReply reply)
    {
        Assert.True(reply.Ok, reply.Error);
        return reply.ValueJson;
    }
}
