using System.Text.RegularExpressions;

namespace Fleet.Core.Functions;

/// <summary>Function names travel in URL paths and request ids: letters, digits, '_', '.', '-', starting alphanumeric.</summary>
internal static partial class FunctionNames
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex Pattern();
}
