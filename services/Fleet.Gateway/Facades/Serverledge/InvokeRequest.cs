using System.Text.Json;

namespace Fleet.Gateway.Facades.Serverledge;

internal sealed record InvokeRequest
{
    public JsonElement Params { get; init; }

    public bool? CanDoOffloading { get; init; }

    public bool Async { get; init; }

    public int QoSClass { get; init; }

    public double QoSMaxRespT { get; init; }

    public bool ReturnOutput { get; init; }
}
