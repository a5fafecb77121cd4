namespace Fleet.Storage.Tests.Contracts;

public sealed class PostgresBlobStoreTests(PostgresStoreFixture fixture) : BlobStoreContract(fixture), IClassFixture<PostgresStoreFixture>;
