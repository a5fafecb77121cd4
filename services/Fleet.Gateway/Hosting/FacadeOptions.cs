namespace Fleet.Gateway.Hosting;

/// <summary>What every facade's options section (<c>Facades:&lt;Name&gt;</c>) has.</summary>
public abstract class FacadeOptions
{
    /// <summary>Off: the facade's routes are not mapped and its own listeners are not opened.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Listeners of its own beside the main ones (<c>Urls</c>), separated by ';' (its upstream's default port, say);
    /// empty: the main ones only. A request on them reaches this facade's routes and no other facade's.
    /// </summary>
    public string Urls { get; set; } = "";

    /// <summary>Larger request bodies are answered 413, in the facade's own format.</summary>
    public long MaxBodyBytes { get; set; } = 64L * 1024 * 1024;
}
