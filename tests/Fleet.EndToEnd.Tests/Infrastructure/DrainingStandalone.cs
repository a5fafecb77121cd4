namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>A standalone with no access token, no spares (every sandbox is a call's) and a drain of <see cref="DrainSeconds"/> on SIGTERM.</summary>
public sealed class DrainingStandalone : StandaloneFleet
{
    public const int DrainSeconds = 2;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Shutdown__DrainSeconds"] = DrainSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Worker__SpareInstances"] = "0",
    };
}
