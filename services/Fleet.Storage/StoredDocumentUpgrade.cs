using System.Text.Json.Nodes;

namespace Fleet.Storage;

/// <summary>
/// Reads documents written before the facade-neutral call model (schema 6 and earlier): a request's
/// <c>paramsJson</c>, <c>returnOutput</c> and <c>qosClass</c> became <c>input.json</c>, <c>captureOutput</c> and
/// <c>priority</c>; an outcome's JSON-text <c>result</c> became <c>output.json</c>, and its joined <c>output</c>
/// (stdout, a newline, stderr) is kept whole as <c>stdout</c>, with an empty <c>stderr</c> (the stores' source-generated
/// reader would leave a missing one null, not ""). Upgraded as they are read, so no migration has to parse
/// every stored document (and PostgreSQL's jsonb could not hold the NUL a call's params may carry).
/// </summary>
internal static class StoredDocumentUpgrade
{
    public static string Request(string json)
    {
        // Only an old request has this property, at its top level: newer ones carry the params inside "input".
        if (!json.Contains("\"paramsJson\"", StringComparison.Ordinal))
        {
            return json;
        }

        var request = JsonNode.Parse(json)!.AsObject();
        request["input"] = new JsonObject { ["json"] = Take(request, "paramsJson") };
        request["captureOutput"] = Take(request, "returnOutput");
        request["priority"] = Take(request, "qosClass");
        return request.ToJsonString();
    }

    public static string Outcome(string json)
    {
        // Only an old outcome has a "result" property; a newer one's "output" is an object.
        if (!json.Contains("\"result\":", StringComparison.Ordinal))
        {
            return json;
        }

        var outcome = JsonNode.Parse(json)!.AsObject();
        var result = Take(outcome, "result");
        outcome["stdout"] = Take(outcome, "output") ?? "";
        outcome["stderr"] = "";
        outcome["output"] = new JsonObject { ["json"] = result };
        return outcome.ToJsonString();
    }

    private static JsonNode? Take(JsonObject document, string property)
    {
        var value = document[property];
        document.Remove(property);
        return value;
    }
}
