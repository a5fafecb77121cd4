namespace Fleet.Storage.Tests.Contracts;

public sealed class PostgresCallStoreTests(PostgresStoreFixture fixture, ITestOutputHelper output) : CallStoreContract(fixture, output), IClassFixture<PostgresStoreFixture>;
