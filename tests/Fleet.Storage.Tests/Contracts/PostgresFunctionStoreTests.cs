namespace Fleet.Storage.Tests.Contracts;

public sealed class PostgresFunctionStoreTests(PostgresStoreFixture fixture) : FunctionStoreContract(fixture), IClassFixture<PostgresStoreFixture>;
