using System.Text.Json;
using Fleet.Worker.Runtimes.HostCalls;

namespace Fleet.Worker.Runtimes.Protocol;

/// <summary>A frame an executor sends: a reply to the worker's latest frame, or a host request during a call.</summary>
internal abstract record ExecutorMessage(long Id)
{
    /// <summary>Throws <see cref="InvalidDataException"/> when the frame is neither, or its id is not an integer.</summary>
    public static ExecutorMessage Parse(ReadOnlyMemory<byte> frame)
    {
        try
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            var id = root.GetProperty("id").GetInt64();
            return root.GetProperty("op").GetString() switch
            {
                "reply" => ExecutorReply.From(id, root),
                "host" => new HostMessage(new HostRequest(id, root.GetProperty("call").GetString() ?? "", root.Clone()), frame.Length),
                _ => throw new InvalidDataException("frame of an unknown op"),
            };
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException("not a reply or host request", error);
        }
    }
}
