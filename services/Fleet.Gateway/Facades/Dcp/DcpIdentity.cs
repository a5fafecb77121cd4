using Fleet.Core.Records;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>The DCP facade's identity layer as services: <see cref="DcpCredentials"/> and what it reads with.</summary>
internal static class DcpIdentity
{
    /// <summary>
    /// Registers <see cref="DcpKeystores"/>, <see cref="DcpApiKeys"/> and <see cref="DcpCredentials"/> as singletons,
    /// each store with a <see cref="DcpIdentityCache"/> of its own. Needs <see cref="FacadeRecords"/> (the core's).
    /// </summary>
    public static IServiceCollection AddDcpIdentity(this IServiceCollection services)
    {
        services.AddSingleton(_ => new DcpKeystores(new DcpIdentityCache()));
        services.AddSingleton(provider => new DcpApiKeys(provider.GetRequiredService<FacadeRecords>(), new DcpIdentityCache()));
        services.AddSingleton<DcpCredentials>();
        return services;
    }
}
