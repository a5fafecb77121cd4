using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// dcp-rest (Distributive-Network/dcp-rest): jobs of many slices under <c>/api/v0</c>, on the main listeners and on its
/// own port; dcp-rest's Basic identity keystores and Fleet's Bearer API keys; CORS open as upstream.
/// </summary>
internal static class DcpFacade
{
    public const string Name = "Dcp";

    public static DcpOptions Register(WebApplicationBuilder builder)
    {
        builder.Services.AddDcpIdentity();
        builder.Services.AddSingleton<DcpAccounts>();
        return builder.AddFacadeOptions<DcpOptions>(
            DcpOptions.SectionName,
            o => o.MaxBodyBytes > 0 && o.MaxSliceBytes > 0 && o.ResultPageSize > 0 && o.MaxListedJobs > 0 && o.MaxListedFailures >= 0,
            "Facades:Dcp limits must be positive");
    }

    public static void MapDcp(this WebApplication app)
    {
        if (app.MapFacade<DcpOptions>(Name) is not { } facade)
        {
            return;
        }

        var api = facade.MapGroup("/api/v0").AddEndpointFilter(DcpWire.Cors);
        api.MapMethods("/{**path}", [HttpMethods.Options], DcpWire.Preflight);
        api.MapPost("/identity", DcpEndpoints.IssueIdentityAsync);
        api.MapGroup("").AddEndpointFilter(DcpWire.Authenticated(app.Services.GetRequiredService<DcpCredentials>())).MapDcpRoutes();
    }
}
