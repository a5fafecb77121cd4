namespace Fleet.Storage.Tests.Contracts;

public sealed class PostgresStoreSchemaTests(PostgresStoreFixture fixture) : StoreSchemaContract(fixture), IClassFixture<PostgresStoreFixture>;
