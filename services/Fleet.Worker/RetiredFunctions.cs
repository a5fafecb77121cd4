using System.Collections.Concurrent;

namespace Fleet.Worker;

/// <summary>Generations of deleted functions: work for them that was still queued is not run.</summary>
internal sealed class RetiredFunctions(TimeProvider time)
{
    private static readonly TimeSpan Memory = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _retired = new(StringComparer.Ordinal);

    public void Add(string generation)
    {
        var now = time.GetUtcNow();
        _retired[generation] = now;
        foreach (var (old, at) in _retired)
        {
            if (now - at > Memory)
            {
                _retired.TryRemove(old, out _);
            }
        }
    }

    public bool Contains(string generation) => _retired.ContainsKey(generation);
}
