namespace Fleet.Worker.Runtimes;

/// <summary>
/// One running instance of one function as the pool and its ledger see it, whatever runs it: an executor process in
/// its sandbox (<see cref="ExecutorInstance"/>) or a container (<see cref="Containers.ContainerInstance"/>). Serves one
/// call at a time; keep-alive, eviction and retirement treat every kind alike.
/// </summary>
internal interface IInstance
{
    string Id { get; }

    InstanceKey Key { get; }

    /// <summary>Memory it holds of the worker's budget (its function's MemoryMB).</summary>
    int MemoryMB { get; }

    /// <summary>When it last became idle; the pool's LRU and keep-alive clock.</summary>
    DateTimeOffset LastUsed { get; set; }

    /// <summary>Killed, timed out, crashed or out of step: never to be used again.</summary>
    bool Broken { get; }

    /// <summary>Whether it can take a call; one found dead is marked broken.</summary>
    bool CanServe();

    /// <summary>Runs one call. A timeout or crash breaks the instance; cancellation kills it and throws <see cref="OperationCanceledException"/>.</summary>
    Task<Execution> CallAsync(CallRequest request, int timeoutSeconds, CancellationToken cancellationToken);

    /// <summary>Stops it and frees what it holds; false when something of it could not be removed.</summary>
    Task<bool> StopAsync();
}
