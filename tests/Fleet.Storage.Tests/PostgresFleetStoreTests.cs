namespace Fleet.Storage.Tests;

public sealed class PostgresFleetStoreTests(PostgresStoreFixture fixture, ITestOutputHelper output)
    : FleetStoreContract(fixture, output), IClassFixture<PostgresStoreFixture>;
