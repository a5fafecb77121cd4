using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
namespace Fleet.Storage;
public static class TempStoreStub
{
    public static IServiceCollection AddFleetStore(this IServiceCollection services, IConfiguration configuration) => services;
}
