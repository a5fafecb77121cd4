namespace Fleet.Gateway.Serverledge;

/// <summary>A JSON body already encoded, written as it is with Echo's trailing newline and its length.</summary>
internal sealed class JsonReply(byte[] body, string contentType, int status) : IResult
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length + Newline.Length;
        await response.Body.WriteAsync(body, httpContext.RequestAborted);
        await response.Body.WriteAsync(Newline, httpContext.RequestAborted);
    }
}
