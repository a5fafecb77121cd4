using System.Text.Json;
using Fleet.Storage.State;

namespace Fleet.Worker.HostCalls;

/// <summary>
/// The fields of a host request, read and checked: the frame comes from the function, so each reader returns the
/// problem (a reason the function sees) instead of throwing, and null when the field is fine.
/// </summary>
internal static class HostFields
{
    public static string? Key(JsonElement frame, out string key)
    {
        key = "";
        if (!frame.TryGetProperty("key", out var field) || field.ValueKind != JsonValueKind.String)
        {
            return "key must be a string";
        }

        key = field.GetString()!;
        return StateKeys.Problem(key);
    }

    /// <summary>A whole number of 0 or more; <paramref name="value"/> stays null when the field is absent (or null) and may be.</summary>
    public static string? Count(JsonElement frame, string name, bool required, out long? value)
    {
        value = null;
        if (!frame.TryGetProperty(name, out var field) || field.ValueKind == JsonValueKind.Null)
        {
            return required ? $"{name} is required" : null;
        }

        if (field.ValueKind != JsonValueKind.Number || !field.TryGetInt64(out var number) || number < 0)
        {
            return $"{name} must be a whole number of 0 or more";
        }

        value = number;
        return null;
    }

    /// <summary>Bytes sent as a base64 string.</summary>
    public static string? Bytes(JsonElement frame, string name, out byte[] bytes)
    {
        bytes = [];
        if (!frame.TryGetProperty(name, out var field) || field.ValueKind != JsonValueKind.String)
        {
            return $"{name} must be a base64 string";
        }

        if (!field.TryGetBytesFromBase64(out var decoded))
        {
            return $"{name} is not valid base64";
        }

        bytes = decoded;
        return null;
    }

    /// <summary>A non-empty string.</summary>
    public static string? Text(JsonElement frame, string name, out string text)
    {
        text = "";
        if (!frame.TryGetProperty(name, out var field) || field.ValueKind != JsonValueKind.String || field.GetString() is not { Length: > 0 } value)
        {
            return $"{name} must be a non-empty string";
        }

        text = value;
        return null;
    }
}
