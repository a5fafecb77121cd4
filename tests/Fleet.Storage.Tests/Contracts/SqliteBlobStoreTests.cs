namespace Fleet.Storage.Tests.Contracts;

public sealed class SqliteBlobStoreTests(SqliteStoreFixture fixture) : BlobStoreContract(fixture), IClassFixture<SqliteStoreFixture>;
