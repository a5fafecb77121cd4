using Fleet.Worker.Runtimes.HostCalls;

namespace Fleet.Worker.Runtimes.Protocol;

/// <summary>
/// The worker's side of one executor's protocol: each frame it sends gets the next id; until the reply that echoes it
/// comes, the executor may send host requests, each answered before the next frame is read. Host request ids rise
/// strictly, a reply carries the id of the frame it answers: anything else is the executor (or the function sharing its
/// process) out of step, and throws <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class ExecutorSession(FrameChannel channel, int maxResultBytes)
{
    /// <summary>The largest host request frame; a larger one is answered with a failure (the call goes on).</summary>
    public const int MaxHostRequestBytes = 1 << 20;

    private long _lastId;
    private long _lastHostId;

    public long NextId() => ++_lastId;

    /// <summary>Sends <paramref name="frame"/> (made for <paramref name="id"/>) and returns its reply; null when the executor closed its end.</summary>
    public async Task<ExecutorReply?> ExchangeAsync(
        long id, byte[] frame, int items, IHostCallHandler hostCalls, CancellationToken cancellationToken)
    {
        await channel.WriteAsync(frame, cancellationToken);
        var maxBytes = FrameChannel.MaxReplyBytes(maxResultBytes, items);
        while (true)
        {
            switch (await channel.ReadAsync(ExecutorMessage.Parse, maxBytes, cancellationToken))
            {
                case null:
                    return null;
                case ExecutorReply reply when reply.Id == id:
                    return reply;
                case ExecutorReply reply:
                    throw new InvalidDataException($"reply to frame {reply.Id} while frame {id} runs");
                case HostMessage host:
                    await AnswerAsync(host, hostCalls, cancellationToken);
                    break;
            }
        }
    }

    private async Task AnswerAsync(HostMessage host, IHostCallHandler hostCalls, CancellationToken cancellationToken)
    {
        var request = host.Request;
        if (request.Id <= _lastHostId)
        {
            throw new InvalidDataException($"host request {request.Id} after host request {_lastHostId}");
        }

        _lastHostId = request.Id;
        var reply = host.Bytes > MaxHostRequestBytes
            ? HostReply.Failed($"host request of {host.Bytes} bytes is larger than the limit of {MaxHostRequestBytes} bytes")
            : await hostCalls.HandleAsync(request, cancellationToken);
        await channel.WriteAsync(ExecutorFrames.HostReply(request.Id, reply), cancellationToken);
    }
}
