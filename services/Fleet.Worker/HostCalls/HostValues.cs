using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Worker.Runtimes.HostCalls;

namespace Fleet.Worker.HostCalls;

/// <summary>Successful host replies carrying a JSON value.</summary>
internal static class HostValues
{
    public static HostReply Null { get; } = new(true, "null", "");

    public static HostReply Of(long value) => new(true, value.ToString(CultureInfo.InvariantCulture), "");

    public static HostReply Of(bool value) => new(true, value ? "true" : "false", "");

    public static HostReply Of(long? value) => value is { } number ? Of(number) : Null;

    /// <summary>A JSON object (or any value) written by <paramref name="write"/>.</summary>
    public static HostReply Of(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return new HostReply(true, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), "");
    }

    public static HostReply Base64(byte[] bytes) => Of(writer => writer.WriteBase64StringValue(bytes));
}
