namespace Fleet.Worker.HostCalls;

/// <summary>
/// What a running call holds of its worker: an execution slot and, when a ledger placed it here, its count in that
/// ledger's view (<see cref="HeldCalls"/>). A call waiting for a call it made gives both back meanwhile, and has the
/// heartbeat tell the schedulers at once, so the child finds the slot free even on a worker of one slot; after the
/// wait it takes a slot again like any call.
/// </summary>
internal sealed class CallCapacity(ExecutionSlots.Slot slot, HeldCalls held, string? heldBy, Action announce)
{
    public async Task<T> WhileWaitingAsync<T>(Func<Task<T>> wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wait);
        using (heldBy is null ? null : held.Suspend(heldBy))
        {
            return await slot.LendAsync(
                () =>
                {
                    announce();
                    return wait();
                },
                cancellationToken);
        }
    }
}
