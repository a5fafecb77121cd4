using System.Text.Json;
using Fleet.Contracts;
using Fleet.Core.Jobs;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// A deploy's body (spec §3.1), checked as dcp-rest meant to (its validator never ran): <c>work.function</c> a
/// non-empty string; <c>work.runtime.name</c> <c>map-basic</c> (JavaScript) by default, or a Python worktime; the legacy
/// <c>work.language</c> picks Python too, or is ignored; <c>slices</c> and <c>args</c> arrays of any JSON;
/// <c>packages</c> empty, <c>webHookUrls</c> absent, no remote data set; <c>account</c> optional.
/// </summary>
internal sealed record DcpDeployRequest(WorkFunction Work, IReadOnlyList<string> Slices, JsonElement? Account, string Name)
{
    private const string DefaultName = "Restfully helping make the world smarter";

    private static readonly string[] JavaScriptNames = ["map-basic", "js", "javascript", "node", "nodejs"];
    private static readonly string[] PythonNames = ["pyodide", "python", "py"];

    /// <summary>The request, or null with the problem to answer 400 with.</summary>
    public static DcpDeployRequest? Parse(JsonElement root, int maxSliceBytes, out string problem, out bool tooLarge)
    {
        tooLarge = false;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "the body must be a JSON object";
            return null;
        }

        if (root.TryGetProperty("webHookUrls", out _))
        {
            problem = "WebHooks are no longer supported in dcp-rest";
            return null;
        }

        if (!root.TryGetProperty("work", out var work) || work.ValueKind != JsonValueKind.Object
            || !work.TryGetProperty("function", out var source) || source.ValueKind != JsonValueKind.String || source.GetString()!.Trim().Length == 0)
        {
            problem = "work.function must be a non-empty string";
            return null;
        }

        if (Runtime(work, out problem) is not { } runtime)
        {
            return null;
        }

        if (root.TryGetProperty("packages", out var packages) && (packages.ValueKind != JsonValueKind.Array || packages.GetArrayLength() > 0))
        {
            problem = "packages are not supported: Fleet has no DCP package registry";
            return null;
        }

        if (root.TryGetProperty("slices", out var slices) && slices.ValueKind == JsonValueKind.Object && slices.TryGetProperty("remoteDataSet", out _))
        {
            problem = "remote data sets are not supported";
            return null;
        }

        var data = Property(root, "slices", maxSliceBytes, out problem, out tooLarge);
        var args = root.TryGetProperty("args", out var given) ? given : default;
        if (data is null || (args.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Array)))
        {
            problem = data is null ? problem : "args must be an array";
            return null;
        }

        var account = root.TryGetProperty("account", out var chosen) && chosen.ValueKind != JsonValueKind.Null ? chosen.Clone() : (JsonElement?)null;
        var name = root.TryGetProperty("public", out var shown) && shown.ValueKind == JsonValueKind.Object
                   && shown.TryGetProperty("name", out var named) && named.ValueKind == JsonValueKind.String
            ? named.GetString()!
            : DefaultName;
        var argsJson = args.ValueKind == JsonValueKind.Array ? args.GetRawText() : "[]";
        return new DcpDeployRequest(new WorkFunction(runtime, source.GetString()!, argsJson), data, account, name);
    }

    /// <summary>
    /// The array under <paramref name="property"/> of <paramref name="root"/> (absent: none) as each item's JSON; null
    /// with the problem when it is not an array or an item is larger than <paramref name="maxSliceBytes"/>.
    /// </summary>
    private static IReadOnlyList<string>? Property(JsonElement root, string property, int maxSliceBytes, out string problem, out bool tooLarge)
    {
        problem = "";
        tooLarge = false;
        if (!root.TryGetProperty(property, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return Items(array, property, maxSliceBytes, out problem, out tooLarge);
    }

    /// <summary>Each item of <paramref name="array"/> as its JSON, or null with the problem.</summary>
    public static IReadOnlyList<string>? Items(JsonElement array, string name, int maxSliceBytes, out string problem, out bool tooLarge)
    {
        problem = "";
        tooLarge = false;
        if (array.ValueKind != JsonValueKind.Array)
        {
            problem = $"{name} must be an array";
            return null;
        }

        var items = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            var json = item.GetRawText();
            if (json.Length > maxSliceBytes)
            {
                (problem, tooLarge) = ($"slice {items.Count + 1} is larger than {maxSliceBytes} bytes", true);
                return null;
            }

            items.Add(json);
        }

        return items;
    }

    /// <summary>The Fleet runtime of the work: node for DCP's JavaScript worktime, python for its Python one.</summary>
    private static string? Runtime(JsonElement work, out string problem)
    {
        problem = "";
        if (work.TryGetProperty("runtime", out var runtime) && runtime.ValueKind == JsonValueKind.Object
            && runtime.TryGetProperty("name", out var named) && named.ValueKind == JsonValueKind.String)
        {
            var name = named.GetString()!;
            if (JavaScriptNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return Runtimes.Node;
            }

            if (PythonNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return Runtimes.Python;
            }

            problem = $"work.runtime.name '{name}' is not supported: map-basic (JavaScript) or pyodide (Python)";
            return null;
        }

        // Ignored by dcp-rest since worktimes came in, except that a Python work function needs Python.
        return work.TryGetProperty("language", out var language) && language.ValueKind == JsonValueKind.String
               && PythonNames.Contains(language.GetString(), StringComparer.OrdinalIgnoreCase)
            ? Runtimes.Python
            : Runtimes.Node;
    }
}
