using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fleet.ServiceDefaults;

/// <summary>Fleet's own trace source and meter; MassTransit and ASP.NET Core add theirs.</summary>
public static class FleetTelemetry
{
    public const string Name = "Fleet";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);
}
