using System.Buffers;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>A JSON body already encoded, written as it is with Echo's trailing newline and its length, in one flush.</summary>
internal sealed class JsonReply(byte[] body, string contentType, int status) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length + 1;
        response.BodyWriter.Write(body);
        response.BodyWriter.Write("\n"u8);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
