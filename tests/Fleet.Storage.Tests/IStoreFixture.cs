namespace Fleet.Storage.Tests;

/// <summary>A database server (or file system) the contract runs against.</summary>
public interface IStoreFixture
{
    /// <summary>A migrated store shared by one test class; tests use unique ids.</summary>
    IFleetStore Store { get; }

    /// <summary>The connection string of a new, empty database (a file or a schema), removed with the fixture.</summary>
    Task<string> CreateEmptyDatabaseAsync(CancellationToken cancellationToken);

    /// <summary>A store of its own (its own pool, as another process would have); disposed with the fixture.</summary>
    IFleetStore OpenStore(string connectionString);

    /// <summary>The rows of <c>schema_migrations</c>, read directly.</summary>
    Task<IReadOnlyList<int>> AppliedVersionsAsync(string connectionString, CancellationToken cancellationToken);

    /// <summary>How many migration scripts this provider ships.</summary>
    int ScriptCount { get; }
}
