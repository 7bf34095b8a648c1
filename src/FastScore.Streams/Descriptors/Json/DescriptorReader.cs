using System.Globalization;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>
/// Reads a descriptor <see cref="Node"/> (JSON or configuration) into a <see cref="DescriptorDraft"/>, reporting every
/// shape error (wrong JSON type, unknown field or name, missing required field) with its path. Values that are
/// well-typed but out of range are left to <see cref="DescriptorFinisher"/>, which the builder shares.
/// </summary>
internal sealed class DescriptorReader
{
    private static readonly string[] s_topFields =
        ["Version", "Description", "Transport", "Loop", "SkipTo", "SkipToRecord", "Envelope", "Encoding", "Schema", "Batching", "LingerTime"];

    /// <summary>Accepted but not listed as known: FastScore v1.4–1.6's EndMarker (ignored with a warning).</summary>
    private static readonly Dictionary<string, string> s_legacyTopFields = new(StringComparer.Ordinal) { ["EndMarker"] = "EndMarker" };

    private readonly ErrorSink _sink;
    private readonly StreamDescriptorOptions _options;

    public DescriptorReader(ErrorSink sink, StreamDescriptorOptions options)
    {
        _sink = sink;
        _options = options;
    }

    public DescriptorDraft Read(Node root)
    {
        var draft = new DescriptorDraft();
        if (root.Kind is not (NodeKind.Object or NodeKind.Empty))
        {
            _sink.Error(string.Empty, $"expected a JSON object (a stream descriptor); found {root.Describe()}.");
            draft.Transport.Fail();
            return draft;
        }

        var fields = new ObjectFields(root, string.Empty, s_topFields, "a stream descriptor", _sink, s_legacyTopFields);

        if (fields.TryGet("Version", out Node version) && TryString(version, "Version", Allowed.Version, out string v))
        {
            draft.Version.Set(v);
        }
        else if (fields.Has("Version"))
        {
            draft.Version.Fail();
        }

        if (fields.TryGet("Description", out Node description))
        {
            if (TryNullableString(description, "Description", out string? d))
            {
                draft.Description.Set(d);
            }
        }

        if (fields.TryGet("Transport", out Node transport))
        {
            TransportDescriptor? t = ReadTransport(transport, "Transport");
            if (t is null)
            {
                draft.Transport.Fail();
            }
            else
            {
                draft.Transport.Set(t);
            }
        }

        ReadField(fields, "Loop", ref draft.Loop, TryBool);
        ReadField(fields, "SkipTo", ref draft.SkipTo, (Node node, string path, out long? value) => TryNullableInt64(node, path, "a byte offset (a non-negative integer) or null", long.MaxValue, out value));
        ReadField(fields, "SkipToRecord", ref draft.SkipToRecord, TryRecordPosition);
        ReadField(fields, "Envelope", ref draft.Envelope, TryEnvelope);
        ReadField(fields, "Encoding", ref draft.Encoding, TryEncoding);
        ReadField(fields, "Schema", ref draft.Schema, TrySchema);
        ReadField(fields, "Batching", ref draft.Batching, TryBatching);
        ReadField(fields, "LingerTime", ref draft.LingerTime, (Node node, string path, out int? value) => TryNullableInt32(node, path, Allowed.MillisecondsOrNull, out value));

        if (fields.Has("EndMarker"))
        {
            _sink.Warning("EndMarker", "is a FastScore v1.4–1.6 field and is ignored: end of stream is signalled by control records ({\"$fastscore\": \"end\"}).");
        }

        return draft;
    }

    private delegate bool TryRead<T>(Node node, string path, out T value);

    /// <summary>Reads a top-level field when given: set when read, failed (already reported) when not.</summary>
    private static void ReadField<T>(ObjectFields fields, string name, ref DraftField<T> field, TryRead<T> read)
    {
        if (fields.TryGet(name, out Node node))
        {
            if (read(node, name, out T value))
            {
                field.Set(value);
            }
            else
            {
                field.Fail();
            }
        }
    }

    // ---------------------------------------------------------------- transports

    /// <summary>Names the reader knows without a registered provider: FastScore's hdfs, read and checked but not runnable here.</summary>
    public static IEnumerable<string> LegacyTransports => [Transports.Hdfs.HdfsTransportDeclaration.Instance.Type];

    private TransportDescriptor? ReadTransport(Node node, string path)
    {
        string typeName;
        Node? objectNode = null;
        switch (node.Kind)
        {
            case NodeKind.String when !node.IsLooseNull:
                typeName = node.GetString().Trim();
                break;
            case NodeKind.Object:
                objectNode = node;
                Node typeNode = default;
                bool hasType = false;
                foreach (KeyValuePair<string, Node> property in node.Properties())
                {
                    if (property.Key.Equals("Type", StringComparison.OrdinalIgnoreCase))
                    {
                        typeNode = property.Value;
                        hasType = true;
                        break;
                    }
                }

                if (!hasType)
                {
                    _sink.Error(DescriptorPath.Join(path, "Type"), $"required field is missing; known transports: {string.Join(", ", DescriptorNames.KnownTransports(_options))}.");
                    return null;
                }

                if (typeNode.Kind != NodeKind.String || typeNode.IsLooseNull)
                {
                    _sink.Error(DescriptorPath.Join(path, "Type"), $"expected a transport type name such as \"kafka\" or \"file\"; found {typeNode.Describe()}.");
                    return null;
                }

                typeName = typeNode.GetString().Trim();
                break;
            default:
                _sink.Error(path, $"expected {Allowed.Transport}; found {node.Describe()}.");
                return null;
        }

        string typePath = objectNode is null ? path : DescriptorPath.Join(path, "Type");
        Transports.TransportProvider? provider;
        ComponentAlias? alias = null;
        if (!_options.Components.TryFindTransport(typeName, out provider, out alias))
        {
            if (!typeName.Equals(Transports.Hdfs.HdfsTransportDeclaration.Instance.Type, StringComparison.OrdinalIgnoreCase))
            {
                _sink.Error(typePath, DescriptorNames.UnknownTransportMessage(typeName, _options));
                return null;
            }

            provider = Transports.Hdfs.HdfsTransportDeclaration.Instance; // declared: read and checked, never run here
        }

        Warn(typePath, typeName, alias, provider.Type);
        DescriptorFields transportFields = Fields(objectNode, path, provider.Type, provider.Fields, provider.FieldAliases, $"{DescriptorFinisher.WithArticle(provider.Type)} transport");
        return ComponentCalls.Read(provider, transportFields, _sink, path);
    }

    // ---------------------------------------------------------------- envelope, encoding, schema, batching

    private static readonly string[] s_commonEnvelopeFields = ["Type", "MaxRecordSize", "OnOversize"];

    private bool TryEnvelope(Node node, string path, out EnvelopeDescriptor? envelope)
    {
        envelope = null;
        if (IsNull(node))
        {
            return true;
        }

        if (!TryComponentName(node, path, "an envelope", _options.Components.EnvelopeNames, Allowed.Envelope, out string name, out Node? objectNode))
        {
            return false;
        }

        string typePath = objectNode is null ? path : DescriptorPath.Join(path, "Type");
        if (!_options.Components.TryFindEnvelope(name, out Envelopes.EnvelopeProvider? provider, out ComponentAlias? alias))
        {
            _sink.Error(typePath, DescriptorNames.UnknownEnvelopeMessage(name, _options));
            return false;
        }

        Warn(typePath, name, alias, provider.Type);
        DescriptorFields fields = Fields(objectNode, path, provider.Type, [.. s_commonEnvelopeFields, .. provider.Fields], null, $"a {provider.Type} envelope");
        ObjectFields common = objectNode is { } o ? ObjectFields.Quiet(o, path, s_commonEnvelopeFields) : new ObjectFields(path);
        int maxRecordSize = OptionalInt32(common, "MaxRecordSize", Allowed.PositiveInt, EnvelopeDescriptor.DefaultMaxRecordSize);
        OversizePolicy onOversize = ReadOversize(common);
        envelope = ComponentCalls.Read(provider, fields, _sink, path) with { MaxRecordSize = maxRecordSize, OnOversize = onOversize };
        return true;
    }

    /// <summary>Reads the name of a component given as a bare name or as an object with a Type.</summary>
    private bool TryComponentName(Node node, string path, string what, IReadOnlyList<string> known, string allowed, out string name, out Node? objectNode)
    {
        name = string.Empty;
        objectNode = null;
        if (node.Kind == NodeKind.String)
        {
            name = node.GetString();
            return true;
        }

        if (node.Kind is NodeKind.Object or NodeKind.Empty)
        {
            objectNode = node;
            Node typeNode = default;
            bool hasType = false;
            foreach (KeyValuePair<string, Node> property in node.Properties())
            {
                if (property.Key.Equals("Type", StringComparison.OrdinalIgnoreCase))
                {
                    typeNode = property.Value;
                    hasType = true;
                }
            }

            if (!hasType || typeNode.Kind != NodeKind.String)
            {
                string kind = what[(what.IndexOf(' ', StringComparison.Ordinal) + 1)..];
                _sink.Error(DescriptorPath.Join(path, "Type"), hasType
                    ? $"expected {what} name ({string.Join(", ", known)}); found {typeNode.Describe()}."
                    : $"required field is missing; known {kind}s: {string.Join(", ", known)}.");
                return false;
            }

            name = typeNode.GetString();
            return true;
        }

        _sink.Error(path, $"expected {allowed}; found {node.Describe()}.");
        return false;
    }

    /// <summary>The fields of a component for its provider: unknown fields are reported against the provider's list.</summary>
    private DescriptorFields Fields(Node? objectNode, string path, string type, IReadOnlyList<string>? known, IReadOnlyDictionary<string, string>? aliases, string context)
    {
        ObjectFields fields = objectNode is { } o
            ? known is null ? ObjectFields.Quiet(o, path, []) : new ObjectFields(o, path, ["Type", .. known], context, _sink, aliases)
            : new ObjectFields(path);
        return new DescriptorFields(fields, new DescriptorErrors(_sink, path), type, objectNode);
    }

    private void Warn(string typePath, string given, ComponentAlias? alias, string canonical)
    {
        if (alias?.Warning is { } warning)
        {
            _sink.Warning(typePath, $"'{given.Trim()}' is {warning}; read as '{canonical}'.");
        }
    }

    private OversizePolicy ReadOversize(ObjectFields fields)
    {
        if (!fields.TryGet("OnOversize", out Node node))
        {
            return OversizePolicy.Reject;
        }

        if (node.Kind == NodeKind.String)
        {
            switch (node.GetString().Trim().ToLowerInvariant())
            {
                case "reject" or "rejected" or "skip" or "drop":
                    return OversizePolicy.Reject;
                case "fail":
                    return OversizePolicy.Fail;
                case "truncate":
                    return OversizePolicy.Truncate;
            }
        }

        _sink.Error(fields.PathOf("OnOversize"), $"expected {Allowed.OnOversize}; found {node.Describe()}.{(node.Kind == NodeKind.String ? NameSuggester.DidYouMean(node.GetString(), ["reject", "fail", "truncate"]) : string.Empty)}");
        return OversizePolicy.Reject;
    }

    private bool TryEncoding(Node node, string path, out EncodingDescriptor? encoding)
    {
        encoding = null;
        if (IsNull(node))
        {
            return true;
        }

        if (!TryComponentName(node, path, "an encoding", _options.Components.EncodingNames, Allowed.Encoding, out string name, out Node? objectNode))
        {
            return false;
        }

        string typePath = objectNode is null ? path : DescriptorPath.Join(path, "Type");
        if (!_options.Components.TryFindEncoding(name, out Encodings.EncodingProvider? provider, out ComponentAlias? alias))
        {
            _sink.Error(typePath, DescriptorNames.UnknownEncodingMessage(name, _options));
            return false;
        }

        Warn(typePath, name, alias, provider.Type);
        DescriptorFields fields = Fields(objectNode, path, provider.Type, provider.Fields, null, $"the {provider.Type} encoding");
        encoding = ComponentCalls.Read(provider, fields, _sink, path);
        return true;
    }

    private bool TrySchema(Node node, string path, out SchemaReference schema)
    {
        schema = SchemaReference.Inherit;
        if (IsNull(node))
        {
            schema = SchemaReference.None;
            return true;
        }

        switch (node.Kind)
        {
            case NodeKind.String:
                string text = node.GetString().Trim();
                if (text == "$inherit")
                {
                    schema = SchemaReference.Inherit;
                    return true;
                }

                if (text.StartsWith('{') || text.StartsWith('['))
                {
                    // a schema given as JSON text (handy in configuration and environment variables)
                    try
                    {
                        using var document = System.Text.Json.JsonDocument.Parse(text, DescriptorJson.DocumentOptions);
                        return DescriptorText.Check(document.RootElement, path, _sink) && TrySchema(Node.FromJson(document.RootElement), path, out schema);
                    }
                    catch (System.Text.Json.JsonException ex)
                    {
                        _sink.Error(path, $"the schema text is not valid JSON: {JsonErrors.Clean(ex.Message)}");
                        return false;
                    }
                }

                schema = SchemaReference.Inline(DescriptorJson.QuoteString(text));
                return true;
            case NodeKind.Object:
                bool hasRef = false;
                Node refNode = default;
                int count = 0;
                foreach (KeyValuePair<string, Node> property in node.Properties())
                {
                    count++;
                    if (property.Key == "$ref")
                    {
                        hasRef = true;
                        refNode = property.Value;
                    }
                }

                if (!hasRef)
                {
                    schema = SchemaReference.Inline(node.ToJsonText());
                    return true;
                }

                if (count != 1)
                {
                    _sink.Error(path, "a {\"$ref\": \"name\"} schema takes no other fields; found more than one field.");
                    return false;
                }

                if (refNode.Kind != NodeKind.String || refNode.GetString().Trim().Length == 0)
                {
                    _sink.Error(DescriptorPath.Join(path, "$ref"), $"expected a schema name (a non-empty string); found {refNode.Describe()}.");
                    return false;
                }

                schema = SchemaReference.Ref(refNode.GetString().Trim());
                return true;
            case NodeKind.Array:
                schema = SchemaReference.Inline(node.ToJsonText());
                return true;
            default:
                _sink.Error(path, $"expected {Allowed.Schema}; found {node.Describe()}.");
                return false;
        }
    }

    private static readonly string[] s_batchingFields = ["Watermark", "NagleTime"];

    private bool TryBatching(Node node, string path, out BatchingDescriptor batching)
    {
        batching = BatchingDescriptor.Normal;
        if (IsNull(node))
        {
            batching = BatchingDescriptor.None;
            return true;
        }

        if (node.Kind == NodeKind.String)
        {
            string name = node.GetString().Trim();
            if (name.Equals("normal", StringComparison.OrdinalIgnoreCase))
            {
                batching = BatchingDescriptor.Normal;
                return true;
            }

            if (name.Equals("explicit", StringComparison.OrdinalIgnoreCase))
            {
                batching = BatchingDescriptor.Explicit;
                return true;
            }

            _sink.Error(path, $"expected {Allowed.Batching}; found {node.Describe()}.{NameSuggester.DidYouMean(name, ["normal", "explicit"])}");
            return false;
        }

        if (node.Kind is NodeKind.Object or NodeKind.Empty)
        {
            var fields = new ObjectFields(node, path, s_batchingFields, "a batching object", _sink);
            int? watermark = OptionalNullableInt32(fields, "Watermark", Allowed.PositiveIntOrNull, BatchingDescriptor.Normal.Watermark);
            int? nagleTime = OptionalNullableInt32(fields, "NagleTime", Allowed.MillisecondsOrNull, BatchingDescriptor.Normal.NagleTime);
            batching = new BatchingDescriptor(watermark, nagleTime);
            return !_sink.HasErrorAt(path);
        }

        _sink.Error(path, $"expected {Allowed.Batching}; found {node.Describe()}.");
        return false;
    }

    private bool TryRecordPosition(Node node, string path, out RecordPosition? position)
    {
        position = null;
        if (IsNull(node))
        {
            return true;
        }

        if (node.Kind == NodeKind.String)
        {
            string text = node.GetString().Trim();
            if (text.Equals("earliest", StringComparison.OrdinalIgnoreCase))
            {
                position = RecordPosition.Earliest;
                return true;
            }

            if (text.Equals("latest", StringComparison.OrdinalIgnoreCase))
            {
                position = RecordPosition.Latest;
                return true;
            }

            if (node.IsLoose && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long loose))
            {
                position = RecordPosition.At(loose);
                return true;
            }

            _sink.Error(path, $"expected {Allowed.SkipToRecord}; found {node.Describe()}.{NameSuggester.DidYouMean(text, ["earliest", "latest"])}");
            return false;
        }

        if (node.Kind == NodeKind.Number && long.TryParse(node.GetNumberText(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long offset))
        {
            position = RecordPosition.At(offset);
            return true;
        }

        _sink.Error(path, $"expected {Allowed.SkipToRecord}; found {node.Describe()}.");
        return false;
    }

    // ---------------------------------------------------------------- scalar helpers (NodeValues, reporting to this reader's sink)

    private static bool IsNull(Node node) => NodeValues.IsNull(node);

    private int OptionalInt32(ObjectFields fields, string name, string allowed, int fallback) =>
        fields.TryGet(name, out Node node) && NodeValues.TryInt64(node, fields.PathOf(name), allowed, int.MinValue, int.MaxValue, _sink, out long value) ? (int)value : fallback;

    private int? OptionalNullableInt32(ObjectFields fields, string name, string allowed, int? fallback) =>
        fields.TryGet(name, out Node node) ? (TryNullableInt32(node, fields.PathOf(name), allowed, out int? value) ? value : fallback) : fallback;

    private bool TryString(Node node, string path, string allowed, out string value) => NodeValues.TryString(node, path, allowed, _sink, out value);

    private bool TryNullableString(Node node, string path, out string? value) => NodeValues.TryNullableString(node, path, _sink, out value);

    private bool TryBool(Node node, string path, out bool value) => NodeValues.TryBool(node, path, _sink, out value);

    private bool TryNullableInt64(Node node, string path, string allowed, long max, out long? value)
    {
        if (IsNull(node))
        {
            value = null;
            return true;
        }

        bool ok = NodeValues.TryInt64(node, path, allowed, long.MinValue, max, _sink, out long v);
        value = ok ? v : null;
        return ok;
    }

    private bool TryNullableInt32(Node node, string path, string allowed, out int? value)
    {
        if (IsNull(node))
        {
            value = null;
            return true;
        }

        bool ok = NodeValues.TryInt64(node, path, allowed, int.MinValue, int.MaxValue, _sink, out long v);
        value = ok ? (int)v : null;
        return ok;
    }
}
