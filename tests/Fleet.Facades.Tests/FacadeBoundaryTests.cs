using System.Text.RegularExpressions;
using Fleet.Contracts;

namespace Fleet.Facades.Tests;

/// <summary>
/// Facades speak to the core only: nothing under the gateway's Facades/ folder touches the store, the bus or the
/// messages services exchange, so every rule of the engine stays in Fleet.Core, once, for all four APIs.
/// </summary>
public sealed partial class FacadeBoundaryTests
{
    /// <summary>Contract types a facade may name: values the core's own API hands out, not messages.</summary>
    private static readonly HashSet<string> Allowed =
        [nameof(FunctionSpec), nameof(FunctionNamespaces), nameof(Payload), nameof(CallConventions), nameof(InvocationStatus), nameof(Runtimes)];

    [Fact]
    public void Code_under_the_facades_uses_neither_the_store_nor_the_bus_nor_the_message_records()
    {
        var facades = Path.Combine(FindRoot(), "services", "Fleet.Gateway", "Facades");
        var files = Directory.GetFiles(facades, "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var messages = typeof(InvokeFunction).Assembly.GetExportedTypes().Select(type => type.Name).Where(name => !Allowed.Contains(name)).ToList();
        Assert.Contains(nameof(InvokeFunction), messages);

        var offences = files.SelectMany(file => Offences(File.ReadAllText(file), messages).Select(what => $"{Path.GetRelativePath(facades, file)}: {what}")).ToList();

        Assert.True(offences.Count == 0, string.Join('\n', offences));
    }

    [Fact]
    public void The_boundary_check_catches_each_kind_of_offence()
    {
        var messages = new List<string> { nameof(InvokeFunction) };

        Assert.Empty(Offences("using Fleet.Core;\nvar x = new CallRequest();", messages));
        Assert.Equal(5, Offences(
            "using Fleet.Storage;\nusing MassTransit;\ncatch (System.Data.Common.DbException) {}\nnew InvokeFunction();\ncatch (RequestTimeoutException) {}",
            messages).Count);
    }

    private static List<string> Offences(string code, IReadOnlyList<string> messages)
    {
        var found = Forbidden().Matches(code).Select(match => match.Value).ToList();
        found.AddRange(messages.Where(name => Regex.IsMatch(code, $@"\b{name}\b")).Select(name => $"message record {name}"));
        return found;
    }

    [GeneratedRegex(@"\bFleet\.Storage\b|\bMassTransit\b|\bSystem\.Data\.Common\b|\bRequestTimeoutException\b")]
    private static partial Regex Forbidden();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fleet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Fleet.sln not found above the test's folder");
    }
}
