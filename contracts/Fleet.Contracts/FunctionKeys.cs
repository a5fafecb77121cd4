namespace Fleet.Contracts;

/// <summary>
/// A function's key across namespaces, <c>namespace/name</c>: the same name in two namespaces is two functions to the
/// workers' instances, the placers' warm counts and the metrics. Names hold no '/', so the last one splits a key.
/// </summary>
public static class FunctionKeys
{
    public static string Of(string @namespace, string name) => $"{@namespace}/{name}";

    /// <summary>The name part of <paramref name="key"/> when it lies in <paramref name="namespace"/>; null otherwise.</summary>
    public static string? NameIn(string key, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.LastIndexOf('/');
        return slash >= 0 && key.AsSpan(0, slash).SequenceEqual(@namespace) ? key[(slash + 1)..] : null;
    }
}
