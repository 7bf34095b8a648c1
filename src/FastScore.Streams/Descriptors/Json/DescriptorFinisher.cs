using System.Globalization;
using System.Text.RegularExpressions;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>
/// Completes a <see cref="DescriptorDraft"/>: fills in every default (FastScore spec §1–§3), checks every value and
/// every consistency rule (§4), checks inline Avro schemas and <c>$ref</c>s, and either returns the descriptor or
/// throws one <see cref="DescriptorException"/> carrying every error. JSON, configuration, literals and the builder all end here.
/// </summary>
internal static partial class DescriptorFinisher
{
    public static StreamDescriptor Complete(DescriptorDraft draft, StreamDescriptorOptions options, ErrorSink sink, string? origin)
    {
        ComponentRegistry components = options.Components;

        // --- Version
        string version = StreamDescriptor.CurrentVersion;
        if (draft.Version.IsSet)
        {
            version = draft.Version.Value;
            ValidateVersion(version, sink);
        }

        // --- Transport
        TransportDescriptor? transport = draft.Transport.IsSet ? draft.Transport.Value : null;
        if (draft.Transport.IsMissing)
        {
            sink.Error("Transport", "required field is missing; e.g. \"Transport\": {\"Type\": \"file\", \"Path\": \"/data/input.jsons\"}, or a shortcut such as \"REST\" or \"discard\".");
        }
        else if (transport is not null)
        {
            TransportRules.Validate(transport, sink);
        }

        // --- Encoding (default: null = raw bytes)
        bool encodingKnown = draft.Encoding.State != FieldState.Failed;
        EncodingDescriptor? encoding = draft.Encoding.IsSet ? CanonicalEncoding(draft.Encoding.Value, options, sink, ref encodingKnown) : null;
        EncodingProvider? encodingProvider = !encodingKnown ? null
            : encoding is null ? (components.TryGetEncoding(EncodingTypes.Null, out EncodingProvider? raw) ? raw : null)
            : components.TryGetEncoding(encoding.Type, out EncodingProvider? found) ? found : null;

        // --- Envelope (default: §3 table)
        bool envelopeKnown;
        EnvelopeDescriptor? envelope;
        EnvelopeProvider? envelopeProvider = null;
        if (draft.Envelope.IsSet)
        {
            envelope = draft.Envelope.Value is { } given ? ValidateEnvelope(given, options, sink, out envelopeProvider) : null;
            envelopeKnown = envelope is null || envelopeProvider is not null;
        }
        else if (draft.Envelope.IsMissing && transport is not null && encodingKnown)
        {
            envelope = DefaultEnvelope(transport, encodingProvider, components, out envelopeProvider);
            envelopeKnown = true;
        }
        else
        {
            envelope = null;
            envelopeKnown = false;
        }

        // --- Schema (default: $inherit; null where a schema is forbidden: a transport with its own record format, an encoding that takes none)
        bool schemaKnown = draft.Schema.State != FieldState.Failed;
        SchemaReference schema = draft.Schema.IsSet
            ? draft.Schema.Value ?? SchemaReference.None
            : transport is { DefinesRecordFormat: true } || encodingProvider?.SchemaUse == SchemaUse.Forbidden ? SchemaReference.None : SchemaReference.Inherit;

        // --- Loop, SkipTo, SkipToRecord
        bool loop = draft.Loop.IsSet && draft.Loop.Value;
        long? skipTo = draft.SkipTo.IsSet ? draft.SkipTo.Value : null;
        RecordPosition? defaultStart = transport?.DefaultStartPosition(loop);
        RecordPosition? skipToRecord = draft.SkipToRecord.IsSet
            ? draft.SkipToRecord.Value
            : draft.SkipToRecord.IsMissing ? defaultStart : null;

        if (skipTo is < 0)
        {
            sink.Error("SkipTo", $"must be a byte offset (a non-negative integer) or null; found {skipTo.Value.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (skipToRecord is { Kind: RecordPositionKind.Offset, Offset: < 0 })
        {
            sink.Error("SkipToRecord", $"must be {Allowed.SkipToRecord}; found {skipToRecord.Value.Offset.ToString(CultureInfo.InvariantCulture)}.");
        }

        // --- Batching, LingerTime
        BatchingDescriptor batching = draft.Batching.IsSet ? draft.Batching.Value ?? BatchingDescriptor.None : BatchingDescriptor.Normal;
        if (batching.Watermark is < 1)
        {
            sink.Error("Batching.Watermark", $"must be {Allowed.PositiveIntOrNull}; found {batching.Watermark.Value.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (batching.NagleTime is < 0)
        {
            sink.Error("Batching.NagleTime", $"must be {Allowed.MillisecondsOrNull}; found {batching.NagleTime.Value.ToString(CultureInfo.InvariantCulture)}.");
        }

        int? lingerTime = draft.LingerTime.IsSet ? draft.LingerTime.Value : StreamDescriptor.DefaultLingerTime;
        if (lingerTime is < 0)
        {
            sink.Error("LingerTime", $"must be {Allowed.MillisecondsOrNull}; found {lingerTime.Value.ToString(CultureInfo.InvariantCulture)}.");
        }

        // --- Schema validity and $ref
        Avro.Schema? resolved = null;
        if (schemaKnown)
        {
            resolved = ResolveSchema(schema, options, sink);
        }

        // --- §4 consistency rules, through the capabilities the components declare
        if (transport is not null)
        {
            string t = transport.Type;
            if (loop && !transport.IsSeekable)
            {
                sink.Error("Loop", $"true needs a seekable transport (file, http, s3, kafka, inline, hdfs); {WithArticle(t)} transport cannot rewind.");
            }

            if (skipTo is not null && (!transport.IsSeekable || transport.PreservesRecordBoundaries))
            {
                sink.Error("SkipTo", $"needs a seekable transport that does not preserve record boundaries (file, http, s3, hdfs); found {WithArticle(t)} transport{Why(transport)}. {(transport.PreservesRecordBoundaries && transport.IsSeekable ? "Use SkipToRecord instead." : string.Empty)}".TrimEnd());
            }

            if (skipToRecord is not null && (!transport.IsSeekable || !transport.PreservesRecordBoundaries))
            {
                sink.Error("SkipToRecord", $"needs a seekable transport that preserves record boundaries (kafka, inline with an array of records); found {WithArticle(t)} transport{Why(transport)}. {(transport.IsSeekable && !transport.PreservesRecordBoundaries ? "Use SkipTo (a byte offset) instead." : string.Empty)}".TrimEnd());
            }

            if (defaultStart is not null && draft.SkipToRecord.IsSet && skipToRecord is null)
            {
                sink.Error("SkipToRecord", $"cannot be null for {WithArticle(t)} transport; use \"earliest\", \"latest\" or a record number.");
            }

            if (envelopeKnown && envelope is not null && transport.PreservesRecordBoundaries)
            {
                sink.Error("Envelope", $"must be null: {WithArticle(t)} transport{transport.DescribeShape()} preserves record boundaries (each message is one record); found '{envelope.Type}'.");
            }

            if (transport.DefinesRecordFormat)
            {
                if (encodingKnown && encoding is not null)
                {
                    sink.Error("Encoding", $"must be null for {WithArticle(t)} transport (each row is a record); found '{encoding.Type}'.");
                }

                if (schemaKnown && schema.Kind != SchemaKind.None)
                {
                    sink.Error("Schema", $"must be null for {WithArticle(t)} transport (rows are typed by the database); found {DescribeReference(schema)}.");
                }
            }
        }

        if (encodingKnown && envelopeKnown && envelope is not null && envelopeProvider is not null)
        {
            string? e = encoding?.Type;
            if (encodingProvider is { IsSelfDelimiting: true } && !envelopeProvider.CanFrameSelfDelimitingEncodings)
            {
                IEnumerable<string> suitable = components.EnvelopeNames
                    .Where(n => components.TryGetEnvelope(n, out EnvelopeProvider? p) && p.CanFrameSelfDelimitingEncodings && (p.RequiredEncoding is null || p.RequiredEncoding == e))
                    .Select(n => $"'{n}'");
                sink.Error("Envelope", $"'{envelope.Type}' cannot frame {e} records: {e} is self-delimiting and its bytes may contain any separator; use {JoinOr(["null", .. suitable])}.");
            }

            if (envelopeProvider.RequiredEncoding is { } required && e != required)
            {
                sink.Error("Envelope", $"'{envelope.Type}' needs the {required} encoding; found {(e is null ? "null" : $"'{e}'")}.");
            }
        }

        if (encodingKnown && schemaKnown && encodingProvider is not null)
        {
            string name = encoding is null ? "null encoding (raw bytes)" : $"{encoding.Type} encoding";
            if (encodingProvider.SchemaUse == SchemaUse.Required && schema.Kind == SchemaKind.None)
            {
                sink.Error("Schema", $"the {name} needs a schema; found null.");
            }

            if (encodingProvider.SchemaUse == SchemaUse.Forbidden && schema.Kind != SchemaKind.None)
            {
                sink.Error("Schema", $"the {name} takes no schema (its records are typed by themselves); found {DescribeReference(schema)}.");
            }

            if (resolved is not null && encodingProvider.CheckSchema(resolved) is { } reason)
            {
                sink.Error("Schema", $"the {name} {reason}; found {DescribeSchema(resolved)}.");
            }

            if (encoding is not null)
            {
                try
                {
                    encodingProvider.ValidateStream(encoding, transport, schema, new DescriptorErrors(sink, string.Empty));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    sink.Error("Encoding", $"the {encoding.Type} encoding provider failed: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }

        if (sink.HasErrors)
        {
            throw new DescriptorException([.. sink.Errors], origin);
        }

        return new StreamDescriptor
        {
            Version = version,
            Description = draft.Description.IsSet ? draft.Description.Value : null,
            Transport = transport!,
            Loop = loop,
            SkipTo = skipTo,
            SkipToRecord = skipToRecord,
            Envelope = envelope,
            Encoding = encoding,
            Schema = schema,
            Batching = batching,
            LingerTime = lingerTime,
            Warnings = [.. sink.Warnings],
        };
    }

    /// <summary>The default envelope (FastScore spec §3): none over a transport that keeps record boundaries or for a self-delimiting encoding, otherwise the encoding's default envelope.</summary>
    public static EnvelopeDescriptor? DefaultEnvelope(TransportDescriptor transport, EncodingProvider? encoding, ComponentRegistry components, out EnvelopeProvider? provider)
    {
        provider = null;
        if (transport.PreservesRecordBoundaries || encoding is { IsSelfDelimiting: true })
        {
            return null;
        }

        string name = encoding?.DefaultEnvelope ?? EnvelopeTypes.Delimited;
        if (!components.TryGetEnvelope(name, out provider))
        {
            provider = null;
            return name == EnvelopeTypes.Delimited ? new DelimitedEnvelopeDescriptor() : null;
        }

        var scratch = new ErrorSink();
        return ComponentCalls.Read(provider, new DescriptorFields(new ObjectFields("Envelope"), new DescriptorErrors(scratch, "Envelope"), provider.Type, null), scratch, "Envelope");
    }

    /// <summary>"a kafka", "an s3", "an inline": the type name with its article.</summary>
    public static string WithArticle(string type) => $"a{An(type)} {type}";

    private static string JoinOr(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : $"{string.Join(", ", items.Take(items.Count - 1))} or {items[^1]}";

    private static void ValidateVersion(string version, ErrorSink sink)
    {
        Match match = VersionPattern().Match(version.Trim());
        if (!match.Success)
        {
            sink.Error("Version", $"expected {Allowed.Version}; found {Node.Quote(version)}.");
            return;
        }

        // A major version too long for an int is not 1 either (int.Parse threw OverflowException: found by fuzzing).
        if (!int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int major) || major != 1)
        {
            sink.Error("Version", $"'{version}' is not supported: only major version 1 is known (expected \"1.x\"; \"1.2\" is current).");
            return;
        }

        if (!int.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int minor) || minor > 2)
        {
            sink.Warning("Version", $"'{version}' is newer than {StreamDescriptor.CurrentVersion}; read with the {StreamDescriptor.CurrentVersion} rules (fields unknown to {StreamDescriptor.CurrentVersion} are still errors).");
        }
    }

    [GeneratedRegex(@"^(\d+)\.(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    /// <summary>The encoding as its registered provider names it (<c>utf8</c> → <c>utf-8</c>), checked by its descriptor type.</summary>
    private static EncodingDescriptor? CanonicalEncoding(EncodingDescriptor? encoding, StreamDescriptorOptions options, ErrorSink sink, ref bool known)
    {
        if (encoding is null)
        {
            return null;
        }

        if (!options.Components.TryFindEncoding(encoding.Type ?? string.Empty, out EncodingProvider? provider, out _))
        {
            sink.Error("Encoding", DescriptorNames.UnknownEncodingMessage(encoding.Type ?? string.Empty, options));
            known = false;
            return null;
        }

        if (encoding.GetType() == typeof(EncodingDescriptor) && (encoding.Type != provider.Type || provider.Fields.Count > 0))
        {
            // a bare name from the builder: the provider gives its descriptor with every default
            var scratch = new ErrorSink();
            encoding = ComponentCalls.Read(provider, new DescriptorFields(new ObjectFields("Encoding"), new DescriptorErrors(scratch, "Encoding"), provider.Type, null), scratch, "Encoding");
        }

        ComponentCalls.Validate(encoding, sink, "Encoding");
        return encoding;
    }

    private static EnvelopeDescriptor ValidateEnvelope(EnvelopeDescriptor envelope, StreamDescriptorOptions options, ErrorSink sink, out EnvelopeProvider? provider)
    {
        if (envelope.MaxRecordSize < 1)
        {
            sink.Error("Envelope.MaxRecordSize", $"must be {Allowed.PositiveInt} (bytes); found {envelope.MaxRecordSize.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!Enum.IsDefined(envelope.OnOversize))
        {
            sink.Error("Envelope.OnOversize", $"must be {Allowed.OnOversize}; found {envelope.OnOversize}.");
        }

        if (!options.Components.TryFindEnvelope(envelope.Type ?? string.Empty, out provider, out _))
        {
            sink.Error("Envelope", DescriptorNames.UnknownEnvelopeMessage(envelope.Type ?? string.Empty, options));
            provider = null;
            return envelope;
        }

        ComponentCalls.Validate(envelope, sink, "Envelope");
        return envelope;
    }

    private static Avro.Schema? ResolveSchema(SchemaReference schema, StreamDescriptorOptions options, ErrorSink sink)
    {
        switch (schema.Kind)
        {
            case SchemaKind.Inline:
                if (SchemaLibrary.TryParse(schema.Json ?? string.Empty, out Avro.Schema? parsed, out string? error))
                {
                    return parsed;
                }

                sink.Error("Schema", $"not a valid Avro schema: {error}");
                return null;
            case SchemaKind.Reference:
                string name = schema.Name ?? string.Empty;
                if (name.Length == 0)
                {
                    sink.Error("Schema.$ref", "expected a schema name (a non-empty string); found \"\".");
                    return null;
                }

                if (options.SchemaLibrary is { } library)
                {
                    if (library.TryGetSchema(name, out Avro.Schema? named))
                    {
                        return named;
                    }

                    sink.Error("Schema.$ref", library.MissingMessage(name));
                    return null;
                }

                return SchemaLibrary.TryGetPrimitive(name, out Avro.Schema? primitive) ? primitive : null;
            default:
                return null;
        }
    }

    private static string DescribeReference(SchemaReference schema) => schema.Kind switch
    {
        SchemaKind.Inherit => "\"$inherit\"",
        SchemaKind.Reference => $"{{\"$ref\": {Node.Quote(schema.Name ?? string.Empty)}}}",
        SchemaKind.Inline => Shorten(schema.Json ?? string.Empty),
        _ => "null",
    };

    private static string DescribeSchema(Avro.Schema schema) => schema switch
    {
        Avro.NamedSchema named => $"the {schema.Tag.ToString().ToLowerInvariant()} schema '{named.Name}'",
        Avro.PrimitiveSchema => $"\"{schema.Tag.ToString().ToLowerInvariant()}\"",
        _ => Shorten(schema.ToString()),
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    private static string An(string type) => type.Length > 0 && (("aeio".Contains(type[0], StringComparison.Ordinal)) || type is "s3" or "hdfs" or "http") ? "n" : string.Empty;

    private static string Why(TransportDescriptor transport) => transport switch
    {
        _ when !transport.IsSeekable => " (cannot seek)",
        _ when transport.PreservesRecordBoundaries => $"{transport.DescribeShape()} (preserves record boundaries)",
        _ => " (does not preserve record boundaries)",
    };
}
