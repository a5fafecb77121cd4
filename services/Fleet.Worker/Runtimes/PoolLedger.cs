namespace Fleet.Worker.Runtimes;

/// <summary>
/// The pool's bookkeeping under one lock: idle instances per key (most recently used last), live instances per key,
/// memory reserved by live instances (idle, busy or starting) and a signal that fires whenever any of it changes.
/// </summary>
internal sealed class PoolLedger(int budgetMB, int maxInstancesPerFunction)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<InstanceKey, List<IInstance>> _idle = [];
    private readonly Dictionary<InstanceKey, int> _live = [];
    private readonly HashSet<InstanceKey> _retired = [];
    private readonly HashSet<IInstance> _started = [];
    private TaskCompletionSource _changed = NewSignal();
    private int _reservedMB;
    private int _busy;

    /// <summary>
    /// Takes the most recently used idle instance of the key (<paramref name="warm"/>), or reserves room for a new busy
    /// one (warm is null), evicting least recently used idle instances of any function into <paramref name="evicted"/>
    /// when that makes it fit. False when the caller must wait for <paramref name="changed"/>.
    /// </summary>
    public bool TryAcquire(InstanceKey key, int memoryMB, List<IInstance> evicted, out IInstance? warm, out Task changed)
    {
        lock (_lock)
        {
            changed = _changed.Task;
            if (_idle.TryGetValue(key, out var idle) && idle.Count > 0)
            {
                warm = idle[^1];
                idle.RemoveAt(idle.Count - 1);
                _busy++;
                return true;
            }

            warm = null;
            if (_live.GetValueOrDefault(key) >= maxInstancesPerFunction || !MakeRoom(memoryMB, spared: null, evicted))
            {
                return false;
            }

            Reserve(key, memoryMB);
            _busy++;
            return true;
        }
    }

    /// <summary>
    /// Reserves room for up to <paramref name="count"/> new idle instances, evicting least recently used idle instances
    /// of other functions into <paramref name="evicted"/> when free memory runs out (as upstream Serverledge's prewarm
    /// does); never evicts the key's own idle instances, which would only swap one warm instance for another.
    /// </summary>
    public int ReserveForPrewarm(InstanceKey key, int memoryMB, int count, List<IInstance> evicted)
    {
        lock (_lock)
        {
            var reserved = 0;
            while (reserved < count && _live.GetValueOrDefault(key) < maxInstancesPerFunction && MakeRoom(memoryMB, key, evicted))
            {
                Reserve(key, memoryMB);
                reserved++;
            }

            return reserved;
        }
    }

    /// <summary>A reservation whose instance did not start.</summary>
    public void Unreserve(InstanceKey key, int memoryMB, bool busy)
    {
        lock (_lock)
        {
            _reservedMB -= memoryMB;
            Decrement(key);
            _busy -= busy ? 1 : 0;
            Signal();
        }
    }

    /// <summary>A reserved instance is now running (so disposal can find it).</summary>
    public void Started(IInstance instance)
    {
        lock (_lock)
        {
            _started.Add(instance);
        }
    }

    /// <summary>Puts an instance in the idle pool after a call (busy) or a prewarm; true when the caller must stop it instead.</summary>
    public bool Return(IInstance instance, bool busy, DateTimeOffset now)
    {
        lock (_lock)
        {
            _busy -= busy ? 1 : 0;
            var discard = instance.Broken || _retired.Contains(instance.Key);
            if (discard)
            {
                Release(instance);
            }
            else
            {
                instance.LastUsed = now;
                Idle(instance.Key).Add(instance);
            }

            Signal();
            return discard;
        }
    }

    /// <summary>Marks a function generation deleted and takes its idle instances out; busy ones are discarded on return.</summary>
    public List<IInstance> Retire(InstanceKey key)
    {
        lock (_lock)
        {
            _retired.Add(key);
            return RemoveIdle(instance => instance.Key == key);
        }
    }

    /// <summary>Takes out idle instances last used before the cutoff.</summary>
    public List<IInstance> Expire(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            return RemoveIdle(instance => instance.LastUsed < cutoff);
        }
    }

    /// <summary>Every running instance, idle or busy, for shutdown.</summary>
    public List<IInstance> TakeAll()
    {
        lock (_lock)
        {
            var all = _started.ToList();
            _idle.Clear();
            _started.Clear();
            Signal();
            return all;
        }
    }

    public PoolSnapshot Snapshot()
    {
        lock (_lock)
        {
            var idle = _idle.Values.SelectMany(list => list)
                .GroupBy(instance => instance.Key.Function, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
            return new PoolSnapshot(idle, _reservedMB, _busy, _live.Values.Sum());
        }
    }

    /// <summary>
    /// Frees <paramref name="memoryMB"/> by evicting least recently used idle instances (never those of
    /// <paramref name="spared"/>) into <paramref name="evicted"/>; false, evicting nothing, when even that is not enough.
    /// </summary>
    private bool MakeRoom(int memoryMB, InstanceKey? spared, List<IInstance> evicted)
    {
        var candidates = _idle.Where(pair => pair.Key != spared).Select(pair => pair.Value).ToList();
        if (budgetMB - _reservedMB + candidates.Sum(list => list.Sum(instance => instance.MemoryMB)) < memoryMB)
        {
            return false;
        }

        while (budgetMB - _reservedMB < memoryMB)
        {
            var oldest = candidates.Where(list => list.Count > 0).MinBy(list => list[0].LastUsed)!;
            evicted.Add(oldest[0]);
            oldest.RemoveAt(0);
            Release(evicted[^1]);
        }

        return true;
    }

    private List<IInstance> RemoveIdle(Func<IInstance, bool> predicate)
    {
        var removed = new List<IInstance>();
        foreach (var list in _idle.Values)
        {
            removed.AddRange(list.Where(predicate));
            list.RemoveAll(instance => predicate(instance));
        }

        foreach (var instance in removed)
        {
            Release(instance);
        }

        foreach (var key in _idle.Where(pair => pair.Value.Count == 0).Select(pair => pair.Key).ToList())
        {
            _idle.Remove(key);
        }

        Signal();
        return removed;
    }

    private List<IInstance> Idle(InstanceKey key)
    {
        if (!_idle.TryGetValue(key, out var list))
        {
            _idle[key] = list = [];
        }

        return list;
    }

    private void Reserve(InstanceKey key, int memoryMB)
    {
        _reservedMB += memoryMB;
        _live[key] = _live.GetValueOrDefault(key) + 1;
    }

    private void Release(IInstance instance)
    {
        _reservedMB -= instance.MemoryMB;
        Decrement(instance.Key);
        _started.Remove(instance);
    }

    private void Decrement(InstanceKey key)
    {
        if (--_live[key] == 0)
        {
            _live.Remove(key);
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
