using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: AssemblyFixture(typeof(TestServersCleanup))]

namespace Fleet.EndToEnd.Tests;

[CollectionDefinition(nameof(FleetCollection))]
public sealed class FleetCollection : ICollectionFixture<FleetCluster>;
