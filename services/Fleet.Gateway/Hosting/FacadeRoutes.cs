using Microsoft.Extensions.Options;

namespace Fleet.Gateway.Hosting;

/// <summary>What every facade does to join the gateway: bind its options section, and map its routes as one group.</summary>
internal static class FacadeRoutes
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>, checked at start; returns the values bound now, for the listeners.</summary>
    public static T AddFacadeOptions<T>(this WebApplicationBuilder builder, string section, Func<T, bool> valid, string failure)
        where T : FacadeOptions, new()
    {
        var configuration = builder.Configuration.GetSection(section);
        builder.Services.AddOptions<T>().Bind(configuration).Validate(valid, failure).ValidateOnStart();
        return configuration.Get<T>() ?? new T();
    }

    /// <summary>
    /// The facade's route group at the root paths, behind its listener gate (and body limit); null when it is switched off.
    /// </summary>
    public static RouteGroupBuilder? MapFacade<T>(this WebApplication app, string facade)
        where T : FacadeOptions
    {
        var options = app.Services.GetRequiredService<IOptions<T>>().Value;
        return options.Enabled
            ? app.MapGroup("").AddEndpointFilter(app.Services.GetRequiredService<FacadeListeners>().Gate(facade, options))
            : null;
    }
}
