using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Faasm;

/// <summary>
/// Faasm's HTTP API (upstream v0.9's docs/api.md): its upload server's routes and its invoke route as one route group
/// with its own listener (8002 by default), no auth (upstream has none), plain-text replies with CORS headers.
/// </summary>
internal static class FaasmFacade
{
    public const string Name = "Faasm";

    public static FaasmOptions Register(WebApplicationBuilder builder) =>
        builder.AddFacadeOptions<FaasmOptions>(
            FaasmOptions.SectionName,
            o => o.MaxBodyBytes > 0 && o.MessageTimeoutSeconds > 0 && o.ResultRetentionSeconds > 0 && o.FunctionMemoryMB > 0,
            "Facades:Faasm limits must be positive");

    public static void MapFaasm(this WebApplication app)
    {
        if (app.MapFacade<FaasmOptions>(Name) is not { } routes)
        {
            return;
        }

        routes.AddEndpointFilter(FaasmWire.Headers);
        routes.MapFaasmUploads();
        routes.MapFaasmInvocations();
        // Browsers' preflight: upstream answers OPTIONS on any path.
        routes.MapMethods("/{**path}", [HttpMethods.Options], () => FaasmWire.Text(""));
        var listeners = app.Services.GetRequiredService<FacadeListeners>();
        routes.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Put], (HttpRequest http) =>
            listeners.IsOwnPort(Name, http.HttpContext.Connection.LocalPort)
                ? FaasmWire.Text($"Unrecognised {http.Method} request to {http.Path}", StatusCodes.Status400BadRequest)
                : Results.NotFound());
    }
}
