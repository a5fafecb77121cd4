namespace Fleet.Storage.Tests;

/// <summary>A database server (or file system) the contract runs against.</summary>
public interface IStoreFixture
{
    /// <summary>A migrated store shared by one test class; tests use unique ids.</summary>
    IFleetStore Store { get; }

    /// <summary>The connection string of <see cref="Store"/>'s database.</summary>
    string ConnectionString { get; }

    /// <summary>The provider's name for its migration scripts (<c>Postgres</c>, <c>Sqlite</c>).</summary>
    string Provider { get; }

    /// <summary>The connection string of a new, empty database (a file or a schema), removed with the fixture.</summary>
    Task<string> CreateEmptyDatabaseAsync(CancellationToken cancellationToken);

    /// <summary>A store of its own (its own pool, as another process would have); disposed with the fixture.</summary>
    IFleetStore OpenStore(string connectionString);

    /// <summary>Applies the migrations up to <paramref name="lastVersion"/> only, as an earlier Fleet did.</summary>
    Task MigrateToAsync(string connectionString, int lastVersion, CancellationToken cancellationToken);

    /// <summary>Runs SQL straight on the database, as an earlier Fleet wrote it.</summary>
    Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken);

    /// <summary>The rows of <c>schema_migrations</c>, read directly.</summary>
    Task<IReadOnlyList<int>> AppliedVersionsAsync(string connectionString, CancellationToken cancellationToken);

    /// <summary>How many migration scripts this provider ships.</summary>
    int ScriptCount { get; }
}
