using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Rest.Endpoints;

/// <summary>
/// Reads and writes descriptors for the REST API and the CLI. A small reader for the fields the API's users send
/// (stand-in until <c>StreamDescriptor.Parse</c>/<c>StreamLiteral</c> land in the core; then this delegates to them),
/// plus the REST transport's own default: a REST stream with no <c>Batching</c> gets <c>{"Watermark": null, "NagleTime": 0}</c>
/// so round trips never wait for a batch to fill.
/// </summary>
internal static class DescriptorJson
{
    /// <summary>The batching a REST stream gets when its descriptor has none: no waiting (FastScore's rest-trip pattern).</summary>
    public static BatchingDescriptor RestBatching { get; } = new(null, 0);

    public static StreamDescriptor Parse(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new DescriptorException("", $"not valid JSON: {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DescriptorException("", $"a descriptor is a JSON object; found {root.ValueKind}.");
        }

        TransportDescriptor transport = Get(root, "Transport") is { } t ? ReadTransport(t) : throw new DescriptorException("Transport", "required field is missing.");
        var descriptor = new StreamDescriptor
        {
            Transport = transport,
            Description = Get(root, "Description")?.GetString(),
            Loop = Get(root, "Loop") is { ValueKind: JsonValueKind.True },
            SkipTo = Get(root, "SkipTo") is { ValueKind: JsonValueKind.Number } skip ? skip.GetInt64() : null,
            Envelope = Has(root, "Envelope") ? ReadEnvelope(Get(root, "Envelope")!.Value) : DefaultEnvelope(transport),
            Encoding = Has(root, "Encoding") ? ReadEncoding(Get(root, "Encoding")!.Value) : DefaultEncoding(transport),
            Schema = Has(root, "Schema") ? ReadSchema(Get(root, "Schema")!.Value) : SchemaReference.Inherit,
            Batching = Has(root, "Batching") ? ReadBatching(Get(root, "Batching")!.Value) : transport is RestTransportDescriptor ? RestBatching : BatchingDescriptor.Normal,
            LingerTime = Get(root, "LingerTime") is { } linger ? linger.ValueKind == JsonValueKind.Null ? null : linger.GetInt32() : 3000,
        };
        return descriptor;
    }

    /// <summary>Expands the stream literals the CLI accepts (<c>rest:</c>, <c>rest-chunked:</c>, <c>file:/abs</c>, <c>inline:a,b</c>, <c>discard:</c>, <c>console:</c>), or reads a descriptor file / JSON text.</summary>
    public static StreamDescriptor FromArgument(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.StartsWith('{'))
        {
            return Parse(trimmed);
        }

        if (File.Exists(trimmed))
        {
            return Parse(File.ReadAllText(trimmed));
        }

        int colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw new DescriptorException("", $"'{text}' is neither a descriptor file nor a stream literal (e.g. rest:, file:/data/in.jsons).");
        }

        string tag = trimmed[..colon].ToLowerInvariant();
        string rest = trimmed[(colon + 1)..];
        EncodingDescriptor? Guess(string source) => source.EndsWith(".avro", StringComparison.OrdinalIgnoreCase) ? EncodingDescriptor.AvroBinary
            : source.EndsWith(".utf8", StringComparison.OrdinalIgnoreCase) ? EncodingDescriptor.Utf8
            : source.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? null
            : EncodingDescriptor.Json;
        return tag switch
        {
            "rest" or "rest-chunked" when rest.Length == 0 => new StreamDescriptor
            {
                Transport = new RestTransportDescriptor { Mode = tag == "rest" ? RestMode.Simple : RestMode.Chunked },
                Envelope = tag == "rest" ? null : new DelimitedEnvelopeDescriptor(),
                Encoding = EncodingDescriptor.Json,
                Batching = RestBatching,
            },
            "file" when rest.StartsWith('/') => new StreamDescriptor
            {
                Transport = new FileTransportDescriptor { Path = rest },
                Envelope = new DelimitedEnvelopeDescriptor(),
                Encoding = Guess(rest),
            },
            "inline" => new StreamDescriptor
            {
                Transport = new InlineTransportDescriptor { Items = [.. rest.Split(',').Select(s => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(s))] },
                Encoding = EncodingDescriptor.Json,
            },
            "discard" => new StreamDescriptor { Transport = new DiscardTransportDescriptor(), Encoding = EncodingDescriptor.Json },
            "console" => new StreamDescriptor { Transport = new ConsoleTransportDescriptor(), Envelope = new DelimitedEnvelopeDescriptor(), Encoding = EncodingDescriptor.Json },
            _ => throw new DescriptorException("", $"'{text}' is not a stream literal this build understands (rest:, rest-chunked:, file:/abs/path, inline:1,2,3, discard:, console:)."),
        };
    }

    /// <summary>The descriptor in FastScore's form (PascalCase), secrets masked.</summary>
    public static JsonObject ToDisplay(StreamDescriptor d)
    {
        var o = new JsonObject
        {
            ["Version"] = d.Version,
            ["Transport"] = TransportToJson(d.Transport, pascal: true),
            ["Loop"] = d.Loop,
            ["Envelope"] = EnvelopeToJson(d.Envelope, pascal: true),
            ["Encoding"] = d.Encoding?.Type,
            ["Schema"] = SchemaToJson(d.Schema, pascal: true),
            ["Batching"] = new JsonObject { ["Watermark"] = d.Batching.Watermark, ["NagleTime"] = d.Batching.NagleTime },
            ["LingerTime"] = d.LingerTime,
        };
        if (d.Description is not null)
        {
            o["Description"] = d.Description;
        }

        return o;
    }

    /// <summary>The normalised, internal form (lower snake_case) that FastScore's dry-run returns.</summary>
    public static JsonObject ToInternal(StreamDescriptor d) => new()
    {
        ["transport"] = TransportToJson(d.Transport, pascal: false),
        ["loop"] = d.Loop,
        ["skip_to"] = d.SkipTo,
        ["skip_to_record"] = d.SkipToRecord?.ToString(),
        ["envelope"] = EnvelopeToJson(d.Envelope, pascal: false),
        ["encoding"] = d.Encoding?.Type,
        ["schema"] = SchemaToJson(d.Schema, pascal: false),
        ["batching"] = new JsonObject { ["watermark"] = d.Batching.Watermark, ["nagle_time"] = d.Batching.NagleTime },
        ["linger_time"] = d.LingerTime,
    };

    private static JsonNode TransportToJson(TransportDescriptor t, bool pascal)
    {
        string K(string name) => pascal ? name : ToSnake(name);
        var o = new JsonObject { [K("Type")] = t.Type };
        switch (t)
        {
            case RestTransportDescriptor rest:
                o[K("Mode")] = rest.Mode == RestMode.Chunked ? "chunked" : "simple";
                break;
            case FileTransportDescriptor file:
                o[K("Path")] = file.Path;
                break;
            case HttpTransportDescriptor http:
                o[K("Url")] = http.Url;
                break;
            case KafkaTransportDescriptor kafka:
                o[K("BootstrapServers")] = new JsonArray([.. kafka.BootstrapServers.Select(s => (JsonNode)s)]);
                o[K("Topic")] = kafka.Topic;
                o[K("Partition")] = kafka.Partition;
                break;
            case S3TransportDescriptor s3:
                o[K("Bucket")] = s3.Bucket;
                o[K("ObjectKey")] = s3.ObjectKey;
                o[K("Region")] = s3.Region;
                if (s3.AccessKeyId is not null)
                {
                    o[K("AccessKeyID")] = s3.AccessKeyId;
                }

                if (s3.SecretAccessKey is not null)
                {
                    o[K("SecretAccessKey")] = "*****";
                }

                break;
            case InlineTransportDescriptor inline:
                o[K("Data")] = new JsonArray([.. inline.Items.Select(i => (JsonNode)Encoding.UTF8.GetString(i.Span))]);
                break;
        }

        return o;
    }

    private static JsonNode? EnvelopeToJson(EnvelopeDescriptor? e, bool pascal) => e switch
    {
        null => null,
        DelimitedEnvelopeDescriptor d => new JsonObject { [pascal ? "Type" : "type"] = d.Type, [pascal ? "Separator" : "separator"] = d.Separator },
        FixedEnvelopeDescriptor f => new JsonObject { [pascal ? "Type" : "type"] = f.Type, [pascal ? "Size" : "size"] = f.Size },
        _ => new JsonObject { [pascal ? "Type" : "type"] = e.Type },
    };

    private static JsonNode? SchemaToJson(SchemaReference s, bool pascal) => s.Kind switch
    {
        SchemaKind.None => null,
        SchemaKind.Inherit => pascal ? "$inherit" : "undefined",
        SchemaKind.Reference => new JsonObject { ["$ref"] = s.Name },
        _ => JsonNode.Parse(s.Json!),
    };

    private static TransportDescriptor ReadTransport(JsonElement t)
    {
        if (t.ValueKind == JsonValueKind.String)
        {
            return TransportFromType(t.GetString()!, default);
        }

        if (t.ValueKind != JsonValueKind.Object || Get(t, "Type") is not { ValueKind: JsonValueKind.String } type)
        {
            throw new DescriptorException("Transport", "must be a type name such as \"REST\" or an object with a Type.");
        }

        return TransportFromType(type.GetString()!, t);
    }

    private static TransportDescriptor TransportFromType(string type, JsonElement fields)
    {
        string Required(string name) => (fields.ValueKind == JsonValueKind.Object ? Get(fields, name)?.GetString() : null)
            ?? throw new DescriptorException($"Transport.{name}", "required field is missing.");
        switch (type.ToLowerInvariant())
        {
            case TransportTypes.Rest:
                string? mode = fields.ValueKind == JsonValueKind.Object ? Get(fields, "Mode")?.GetString() : null;
                return new RestTransportDescriptor
                {
                    Mode = mode is null || mode.Equals("simple", StringComparison.OrdinalIgnoreCase) ? RestMode.Simple
                        : mode.Equals("chunked", StringComparison.OrdinalIgnoreCase) ? RestMode.Chunked
                        : throw new DescriptorException("Transport.Mode", $"must be \"simple\" or \"chunked\"; found \"{mode}\"."),
                };
            case TransportTypes.File:
                return new FileTransportDescriptor { Path = Required("Path") };
            case TransportTypes.Discard:
                return new DiscardTransportDescriptor();
            case TransportTypes.Console:
                return new ConsoleTransportDescriptor();
            case TransportTypes.Inline:
                JsonElement data = (fields.ValueKind == JsonValueKind.Object ? Get(fields, "Data") : null) ?? throw new DescriptorException("Transport.Data", "required field is missing.");
                return data.ValueKind == JsonValueKind.Array
                    ? new InlineTransportDescriptor { Items = [.. data.EnumerateArray().Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e.GetString() ?? ""))] }
                    : new InlineTransportDescriptor { Items = [Encoding.UTF8.GetBytes(data.GetString() ?? "")], IsChunk = true };
            default:
                throw new DescriptorException("Transport.Type", $"'{type}' is not supported by this build of the REST API (rest, file, inline, discard, console).");
        }
    }

    private static EnvelopeDescriptor? DefaultEnvelope(TransportDescriptor transport) =>
        transport.PreservesRecordBoundaries ? null : new DelimitedEnvelopeDescriptor();

    private static EncodingDescriptor? DefaultEncoding(TransportDescriptor transport) => null;

    private static EnvelopeDescriptor? ReadEnvelope(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        string type = (e.ValueKind == JsonValueKind.String ? e.GetString() : Get(e, "Type")?.GetString()) ?? throw new DescriptorException("Envelope", "must be a name or an object with a Type.");
        return type.ToLowerInvariant() switch
        {
            EnvelopeTypes.Delimited or "deliminated" => new DelimitedEnvelopeDescriptor { Separator = (e.ValueKind == JsonValueKind.Object ? Get(e, "Separator")?.GetString() : null) ?? "\n" },
            EnvelopeTypes.Fixed => new FixedEnvelopeDescriptor { Size = (e.ValueKind == JsonValueKind.Object ? Get(e, "Size")?.GetInt32() : null) ?? throw new DescriptorException("Envelope.Size", "required field is missing.") },
            _ => throw new DescriptorException("Envelope", $"'{type}' is not supported here (delimited, fixed, or null)."),
        };
    }

    private static EncodingDescriptor? ReadEncoding(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        string type = (e.ValueKind == JsonValueKind.String ? e.GetString() : Get(e, "Type")?.GetString()) ?? throw new DescriptorException("Encoding", "must be a name or null.");
        return type.ToLowerInvariant() switch
        {
            EncodingTypes.Json => EncodingDescriptor.Json,
            EncodingTypes.Utf8 or "utf8" => EncodingDescriptor.Utf8,
            EncodingTypes.AvroBinary => EncodingDescriptor.AvroBinary,
            string other => new EncodingDescriptor(other),
        };
    }

    private static SchemaReference ReadSchema(JsonElement s) => s.ValueKind switch
    {
        JsonValueKind.Null => SchemaReference.None,
        JsonValueKind.String when s.GetString() == "$inherit" => SchemaReference.Inherit,
        JsonValueKind.Object when Get(s, "$ref") is { ValueKind: JsonValueKind.String } r => SchemaReference.Ref(r.GetString()!),
        _ => SchemaReference.Inline(s.GetRawText()),
    };

    private static BatchingDescriptor ReadBatching(JsonElement b) => b.ValueKind switch
    {
        JsonValueKind.Null => BatchingDescriptor.None,
        JsonValueKind.String when string.Equals(b.GetString(), "normal", StringComparison.OrdinalIgnoreCase) => BatchingDescriptor.Normal,
        JsonValueKind.String when string.Equals(b.GetString(), "explicit", StringComparison.OrdinalIgnoreCase) => BatchingDescriptor.Explicit,
        JsonValueKind.Object => new BatchingDescriptor(
            Get(b, "Watermark") is { } w ? w.ValueKind == JsonValueKind.Null ? null : w.GetInt32() : 1000,
            Get(b, "NagleTime") is { } n ? n.ValueKind == JsonValueKind.Null ? null : n.GetInt32() : 500),
        _ => throw new DescriptorException("Batching", "must be \"normal\", \"explicit\", null or {\"Watermark\": n, \"NagleTime\": ms}."),
    };

    private static bool Has(JsonElement o, string name) => Get(o, name) is not null;

    private static JsonElement? Get(JsonElement o, string name)
    {
        foreach (JsonProperty p in o.EnumerateObject())
        {
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static string ToSnake(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                sb.Append('_');
            }

            sb.Append(char.ToLower(name[i], CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
