using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Fleet.ServiceDefaults;

public static class ConfigurationDefaults
{
    /// <summary>
    /// A host's defaults, below every other source (files, environment, command line), so they hold wherever the
    /// process is started from and whatever settings files its referenced projects brought along.
    /// </summary>
    public static IConfigurationBuilder AddHostDefaults(this IConfigurationBuilder configuration, IDictionary<string, string?> defaults)
    {
        var all = new Dictionary<string, string?>(defaults)
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:MassTransit"] = "Warning",
        };
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = all });
        return configuration;
    }
}
