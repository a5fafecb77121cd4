namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One data point of an OTLP metrics export: a sum's or gauge's value, or a histogram's count and sum. The field
/// numbers are those of opentelemetry/proto/metrics/v1/metrics.proto and its collector service.
/// </summary>
internal sealed record OtlpMetricPoint(
    string Service, string Scope, string Name, string Unit, IReadOnlyDictionary<string, string> Attributes, double Value, ulong Count)
{
    /// <summary>Every point of an ExportMetricsServiceRequest.</summary>
    public static List<OtlpMetricPoint> Decode(ReadOnlySpan<byte> request)
    {
        var points = new List<OtlpMetricPoint>();
        var reader = new ProtoReader(request);
        while (reader.Next(out var field))
        {
            if (field == 1)
            {
                ResourceMetrics(reader.Bytes(), points);
            }
            else
            {
                reader.Skip();
            }
        }

        return points;
    }

    // Each message is read twice: once for its names (which may come after its children on the wire), once for its children.
    private static void ResourceMetrics(ReadOnlySpan<byte> message, List<OtlpMetricPoint> points)
    {
        var service = ReadAttributes(Field(message, 1), attributesField: 1).GetValueOrDefault("service.name", "");
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            if (field == 2)
            {
                ScopeMetrics(service, reader.Bytes(), points);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ScopeMetrics(string service, ReadOnlySpan<byte> message, List<OtlpMetricPoint> points)
    {
        var scope = Text(Field(Field(message, 1), 1));
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            if (field == 2)
            {
                Metric(service, scope, reader.Bytes(), points);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void Metric(string service, string scope, ReadOnlySpan<byte> message, List<OtlpMetricPoint> points)
    {
        var (name, unit) = (Text(Field(message, 1)), Text(Field(message, 3)));
        var reader = new ProtoReader(message);
        while (reader.Next(out var kind))
        {
            // gauge, sum, histogram: each holds its data points in field 1.
            if (kind is not (5 or 7 or 9))
            {
                reader.Skip();
                continue;
            }

            var data = new ProtoReader(reader.Bytes());
            while (data.Next(out var field))
            {
                if (field == 1)
                {
                    var point = kind == 9 ? HistogramPoint(data.Bytes()) : NumberPoint(data.Bytes());
                    points.Add(new OtlpMetricPoint(service, scope, name, unit, point.Attributes, point.Value, point.Count));
                }
                else
                {
                    data.Skip();
                }
            }
        }
    }

    /// <summary>The last length-delimited field <paramref name="number"/> of a message, or nothing.</summary>
    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> message, int number)
    {
        var found = ReadOnlySpan<byte>.Empty;
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            if (field == number)
            {
                found = reader.Bytes();
            }
            else
            {
                reader.Skip();
            }
        }

        return found;
    }

    private static string Text(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    private static (Dictionary<string, string> Attributes, double Value, ulong Count) NumberPoint(ReadOnlySpan<byte> message)
    {
        var attributes = ReadAttributes(message, attributesField: 7);
        var value = 0.0;
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 4:
                    value = reader.Double();
                    break;
                case 6:
                    value = (long)reader.Integer();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return (attributes, value, 0);
    }

    private static (Dictionary<string, string> Attributes, double Value, ulong Count) HistogramPoint(ReadOnlySpan<byte> message)
    {
        var attributes = ReadAttributes(message, attributesField: 9);
        var (sum, count) = (0.0, 0UL);
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 4:
                    count = reader.Integer();
                    break;
                case 5:
                    sum = reader.Double();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return (attributes, sum, count);
    }

    /// <summary>The KeyValue attributes held in field <paramref name="attributesField"/> of a message, as text.</summary>
    private static Dictionary<string, string> ReadAttributes(ReadOnlySpan<byte> message, int attributesField)
    {
        var attributes = new Dictionary<string, string>();
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            if (field != attributesField)
            {
                reader.Skip();
                continue;
            }

            string key = "", value = "";
            var pair = new ProtoReader(reader.Bytes());
            while (pair.Next(out var pairField))
            {
                if (pairField == 1)
                {
                    key = Text(pair.Bytes());
                }
                else if (pairField == 2)
                {
                    value = AnyValue(pair.Bytes());
                }
                else
                {
                    pair.Skip();
                }
            }

            attributes[key] = value;
        }

        return attributes;
    }

    /// <summary>A string, bool or integer AnyValue as text; other kinds as "".</summary>
    private static string AnyValue(ReadOnlySpan<byte> message)
    {
        var reader = new ProtoReader(message);
        while (reader.Next(out var field))
        {
            switch (field)
            {
                case 1:
                    return Text(reader.Bytes());
                case 2:
                    return reader.Integer() != 0 ? "true" : "false";
                case 3:
                    return ((long)reader.Integer()).ToString(System.Globalization.CultureInfo.InvariantCulture);
                default:
                    reader.Skip();
                    break;
            }
        }

        return "";
    }
}
