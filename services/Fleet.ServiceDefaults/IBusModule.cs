using MassTransit;

namespace Fleet.ServiceDefaults;

/// <summary>
/// What one service adds to the bus: its consumers and its receive endpoints. The distributed services each
/// bring one module; the standalone process brings all three to one in-memory bus.
/// </summary>
public interface IBusModule
{
    void AddConsumers(IBusRegistrationConfigurator bus);

    void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus);
}
