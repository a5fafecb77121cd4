using System.Globalization;

namespace Fleet.Bench;

internal static class Report
{
    public static void Line(string what, double value, string unit) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-50} {value,10:F2} {unit}"));
}
