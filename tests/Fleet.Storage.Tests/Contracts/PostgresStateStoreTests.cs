namespace Fleet.Storage.Tests.Contracts;

public sealed class PostgresStateStoreTests(PostgresStoreFixture fixture) : StateStoreContract(fixture), IClassFixture<PostgresStoreFixture>;
