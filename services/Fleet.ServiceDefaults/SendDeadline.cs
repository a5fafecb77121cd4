namespace Fleet.ServiceDefaults;

/// <summary>
/// A deadline for a send or publish made outside a consumer. RabbitMQ.Client 7.2.2 never completes a publish that waits
/// for its confirm, or for its turn to publish, on a channel that is disposed meanwhile (its DisposeAsync drops the
/// pending confirms without failing them: rabbitmq-dotnet-client#1930), and MassTransit disposes the channels of a
/// connection the broker closed. Without a deadline such a send hangs for good: a heartbeat loop stops, a batch of
/// accepted calls is never answered. Sends inside a consumer need none: MassTransit cancels the consume token when the
/// consumer's channel goes.
/// </summary>
public static class SendDeadline
{
    /// <summary>Long enough to ride out a broker restart of several seconds (MassTransit reconnects meanwhile).</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="send"/> with a token that also ends at the deadline; a send still unconfirmed then throws a
    /// <see cref="TimeoutException"/> (the message may or may not have reached the broker).
    /// </summary>
    public static async Task RunAsync(Func<CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Limit);
        try
        {
            await send(deadline.Token);
        }
        catch (OperationCanceledException cancelled) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the broker did not confirm the message within {Limit.TotalSeconds:F0} s", cancelled);
        }
    }
}
