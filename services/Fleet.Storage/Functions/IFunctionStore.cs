using Fleet.Contracts;

namespace Fleet.Storage.Functions;

/// <summary>Function definitions, keyed by (<see cref="FunctionSpec.Namespace"/>, <see cref="FunctionSpec.Name"/>).</summary>
public interface IFunctionStore
{
    /// <summary>Registers a function; false (and no change) when its namespace holds one of that name already.</summary>
    Task<bool> TryCreateAsync(FunctionSpec function, CancellationToken cancellationToken);

    Task<FunctionSpec?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>Deletes a function and returns what was deleted, or null when there was none.</summary>
    Task<FunctionSpec?> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>The names of a namespace's functions in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListNamesAsync(string @namespace, CancellationToken cancellationToken);
}
