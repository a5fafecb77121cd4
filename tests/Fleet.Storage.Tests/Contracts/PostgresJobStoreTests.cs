namespace Fleet.Storage.Tests.Contracts;

public sealed class PostgresJobStoreTests(PostgresStoreFixture fixture) : JobStoreContract(fixture), IClassFixture<PostgresStoreFixture>;
