using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary>
/// A function's payload as the client uploads it: <c>gzip(msgpack({func, local_sources, installed_mods,
/// requirements}))</c>. Only the envelope is read here; <see cref="Function"/> stays the client's dill bytes.
/// </summary>
internal sealed partial record FastmapPayload(
    byte[] Function, IReadOnlyDictionary<string, string> LocalSources, IReadOnlyList<string> InstalledModules, IReadOnlyDictionary<string, string> Requirements)
{
    /// <summary>The payload <paramref name="zipped"/> holds, or why it holds none (<paramref name="tooLarge"/>: unzipped past the limit).</summary>
    public static FastmapPayload? Decode(byte[] zipped, long maxBytes, out string? problem, out bool tooLarge)
    {
        tooLarge = false;
        byte[] envelope;
        try
        {
            envelope = Gunzip(zipped, maxBytes);
        }
        catch (InvalidDataException error)
        {
            problem = $"the payload is not gzip: {error.Message}";
            return null;
        }
        catch (InsufficientMemoryException)
        {
            (problem, tooLarge) = ($"the payload unzips to more than {maxBytes} bytes", true);
            return null;
        }

        try
        {
            if (Msgpack.Read(envelope) is not Dictionary<string, object?> fields)
            {
                problem = "the payload is not a msgpack map";
                return null;
            }

            if (!fields.TryGetValue("func", out var func) || func is not byte[] function)
            {
                problem = "the payload's func is missing or not bytes";
                return null;
            }

            var sources = Strings(fields.GetValueOrDefault("local_sources"), "local_sources");
            if (sources.Keys.FirstOrDefault(name => !ModuleName().IsMatch(name)) is { } bad)
            {
                problem = $"local_sources names a module {bad[..Math.Min(bad.Length, 100)]}, which is not a Python module name";
                return null;
            }

            var payload = new FastmapPayload(function, sources, Modules(fields.GetValueOrDefault("installed_mods")), RequirementsOf(fields.GetValueOrDefault("requirements")));
            problem = null;
            return payload;
        }
        catch (Exception error) when (error is MalformedMsgpackException or FormatException or ArgumentException)
        {
            problem = $"the payload is malformed: {error.Message}";
            return null;
        }
    }

    private static byte[] Gunzip(byte[] zipped, long maxBytes)
    {
        using var gzip = new GZipStream(new MemoryStream(zipped), CompressionMode.Decompress);
        using var envelope = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = gzip.Read(buffer)) > 0)
        {
            if (envelope.Length + read > maxBytes)
            {
                throw new InsufficientMemoryException();
            }

            envelope.Write(buffer, 0, read);
        }

        return envelope.ToArray();
    }

    private static Dictionary<string, string> Strings(object? value, string field) => value switch
    {
        null => [],
        Dictionary<string, object?> map => map.ToDictionary(entry => entry.Key, entry => entry.Value as string ?? throw new FormatException($"{field}[{entry.Key}] is not a string"), StringComparer.Ordinal),
        _ => throw new FormatException($"{field} is not a map"),
    };

    private static List<string> Modules(object? value) => value switch
    {
        null => [],
        List<object?> list => [.. list.Select(item => item as string ?? throw new FormatException("installed_mods holds something other than strings"))],
        _ => throw new FormatException("installed_mods is not a list"),
    };

    /// <summary>The client's <c>{distribution: version}</c>, or the API page's <c>["pkg==version", …]</c>.</summary>
    private static Dictionary<string, string> RequirementsOf(object? value) => value switch
    {
        List<object?> list => list.Select(item => item as string ?? throw new FormatException("requirements holds something other than strings"))
            .Select(line => line.Split("==", 2, StringSplitOptions.TrimEntries))
            .ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : "", StringComparer.Ordinal),
        _ => Strings(value, "requirements"),
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex ModuleName();
}
