namespace Fleet.Storage.Tests;

public sealed class SqliteFleetStoreTests(SqliteStoreFixture fixture, ITestOutputHelper output)
    : FleetStoreContract(fixture, output), IClassFixture<SqliteStoreFixture>;
