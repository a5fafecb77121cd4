namespace Fleet.Core;

/// <summary>
/// The one failure facades map to their own error body: the store or the bus cannot be reached now, so the request
/// could be neither answered nor accepted. Nothing was lost; the client may try again. Store and broker exceptions
/// stop in the core and become this.
/// </summary>
public sealed class CoreUnavailableException(string message, Exception inner) : Exception(message, inner);
