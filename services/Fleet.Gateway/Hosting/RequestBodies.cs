namespace Fleet.Gateway.Hosting;

/// <summary>
/// Reads a request's body whole, within a limit (the facade's <see cref="FacadeOptions.MaxBodyBytes"/>, which its
/// listener gate also gives Kestrel): the one place every facade reads bodies, each answering failures in its format.
/// </summary>
internal static class RequestBodies
{
    /// <summary>The body, or why there is none: 413 when it passes <paramref name="maxBytes"/>, Kestrel's status (400) when it is malformed.</summary>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var tooLarge = new RequestBody(null, StatusCodes.Status413PayloadTooLarge, $"the request is larger than {maxBytes} bytes");
        if (request.ContentLength > maxBytes)
        {
            return tooLarge;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return tooLarge;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException error)
        {
            return error.StatusCode == StatusCodes.Status413PayloadTooLarge ? tooLarge : new RequestBody(null, error.StatusCode, error.Message);
        }

        return new RequestBody(buffer.ToArray(), StatusCodes.Status200OK, "");
    }
}

/// <summary>A request body read whole (<see cref="Bytes"/>), or the status and reason it could not be.</summary>
internal readonly record struct RequestBody(byte[]? Bytes, int FailureStatus, string Failure);
