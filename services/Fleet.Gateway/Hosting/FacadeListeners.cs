using Microsoft.AspNetCore.Http.Features;

namespace Fleet.Gateway.Hosting;

/// <summary>
/// The gateway's listeners: the main ones (<c>Urls</c>), where every facade answers on its own paths, and each
/// enabled facade's own (<see cref="FacadeOptions.Urls"/>), where only that facade answers.
/// </summary>
internal sealed class FacadeListeners
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    private readonly Dictionary<int, string> _ownedPorts;

    private FacadeListeners(Dictionary<int, string> ownedPorts) => _ownedPorts = ownedPorts;

    /// <summary>Listens on the main URLs and every enabled facade's; Kestrel's body limit is the largest facade's.</summary>
    public static FacadeListeners Configure(WebApplicationBuilder builder, IReadOnlyDictionary<string, FacadeOptions> facades)
    {
        var enabled = facades.Where(facade => facade.Value.Enabled).ToList();
        var owned = new Dictionary<int, string>();
        var urls = Split(builder.Configuration["Urls"] is { Length: > 0 } main ? main : DefaultUrls);
        foreach (var (name, options) in enabled)
        {
            foreach (var url in Split(options.Urls))
            {
                var port = BindingAddress.Parse(url).Port;
                if (!owned.TryAdd(port, name) || urls.Any(main => BindingAddress.Parse(main).Port == port))
                {
                    throw new InvalidOperationException($"Facades:{name}:Urls: port {port} is taken by another listener");
                }

                urls.Add(url);
            }
        }

        builder.WebHost.UseUrls([.. urls]);
        var largest = enabled.Count > 0 ? enabled.Max(facade => facade.Value.MaxBodyBytes) : 0;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = largest);
        return new FacadeListeners(owned);
    }

    /// <summary>
    /// The filter at the head of a facade's route group: a request that came in on another facade's own listener is
    /// not found here, and the facade's body limit applies.
    /// </summary>
    public Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Gate(string facade, FacadeOptions options) =>
        (context, next) =>
        {
            var http = context.HttpContext;
            if (_ownedPorts.TryGetValue(http.Connection.LocalPort, out var owner) && owner != facade)
            {
                return ValueTask.FromResult<object?>(Results.NotFound());
            }

            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = options.MaxBodyBytes;
            }

            return next(context);
        };

    /// <summary>Whether <paramref name="port"/> is one of <paramref name="facade"/>'s own listeners.</summary>
    public bool IsOwnPort(string facade, int port) => _ownedPorts.TryGetValue(port, out var owner) && owner == facade;

    private static List<string> Split(string urls) =>
        [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
