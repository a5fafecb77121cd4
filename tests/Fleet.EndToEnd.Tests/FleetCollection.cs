using Fleet.EndToEnd.Tests.Infrastructure;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Fleet.EndToEnd.Tests;

[CollectionDefinition(nameof(FleetCollection))]
public sealed class FleetCollection : ICollectionFixture<FleetCluster>;
