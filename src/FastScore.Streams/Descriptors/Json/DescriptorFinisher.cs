using System.Globalization;
using System.Text.RegularExpressions;

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
        EncodingDescriptor? encoding = draft.Encoding.IsSet ? CanonicalEncoding(draft.Encoding.Value, sink, ref encodingKnown) : null;

        // --- Envelope (default: §3 table)
        bool envelopeKnown;
        EnvelopeDescriptor? envelope;
        if (draft.Envelope.IsSet)
        {
            envelope = draft.Envelope.Value is { } given ? ValidateEnvelope(given, sink) : null;
            envelopeKnown = true;
        }
        else if (draft.Envelope.IsMissing && transport is not null && encodingKnown)
        {
            envelope = DefaultEnvelope(transport, encoding);
            envelopeKnown = true;
        }
        else
        {
            envelope = null;
            envelopeKnown = false;
        }

        // --- Schema (default: $inherit; null where a schema is forbidden: odbc, soap-rpc)
        bool schemaKnown = draft.Schema.State != FieldState.Failed;
        SchemaReference schema = draft.Schema.IsSet
            ? draft.Schema.Value ?? SchemaReference.None
            : transport is OdbcTransportDescriptor || encoding?.Type == EncodingTypes.SoapRpc ? SchemaReference.None : SchemaReference.Inherit;

        // --- Loop, SkipTo, SkipToRecord
        bool loop = draft.Loop.IsSet && draft.Loop.Value;
        long? skipTo = draft.SkipTo.IsSet ? draft.SkipTo.Value : null;
        RecordPosition? skipToRecord = draft.SkipToRecord.IsSet
            ? draft.SkipToRecord.Value
            : draft.SkipToRecord.IsMissing && transport is KafkaTransportDescriptor ? (loop ? RecordPosition.Earliest : RecordPosition.Latest) : null;

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

        // --- §4 consistency rules
        if (transport is not null)
        {
            string t = transport.Type;
            if (loop && !transport.IsSeekable)
            {
                sink.Error("Loop", $"true needs a seekable transport (file, http, s3, kafka, inline, hdfs); a{An(t)} {t} transport cannot rewind.");
            }

            if (skipTo is not null && (!transport.IsSeekable || transport.PreservesRecordBoundaries))
            {
                sink.Error("SkipTo", $"needs a seekable transport that does not preserve record boundaries (file, http, s3, hdfs); found a{An(t)} {t} transport{Why(transport)}. {(transport.PreservesRecordBoundaries && transport.IsSeekable ? "Use SkipToRecord instead." : string.Empty)}".TrimEnd());
            }

            if (skipToRecord is not null && (!transport.IsSeekable || !transport.PreservesRecordBoundaries))
            {
                sink.Error("SkipToRecord", $"needs a seekable transport that preserves record boundaries (kafka, inline with an array of records); found a{An(t)} {t} transport{Why(transport)}. {(transport.IsSeekable && !transport.PreservesRecordBoundaries ? "Use SkipTo (a byte offset) instead." : string.Empty)}".TrimEnd());
            }

            if (transport is KafkaTransportDescriptor && draft.SkipToRecord.IsSet && skipToRecord is null)
            {
                sink.Error("SkipToRecord", "cannot be null for a kafka transport; use \"earliest\", \"latest\" or a record number.");
            }

            if (envelopeKnown && envelope is not null && transport.PreservesRecordBoundaries)
            {
                sink.Error("Envelope", $"must be null: a{An(t)} {t} transport{Mode(transport)} preserves record boundaries (each message is one record); found '{envelope.Type}'.");
            }

            if (transport is OdbcTransportDescriptor)
            {
                if (encodingKnown && encoding is not null)
                {
                    sink.Error("Encoding", $"must be null for an odbc transport (each row is a record); found '{encoding.Type}'.");
                }

                if (schemaKnown && schema.Kind != SchemaKind.None)
                {
                    sink.Error("Schema", $"must be null for an odbc transport (rows are typed by the database); found {DescribeReference(schema)}.");
                }
            }
        }

        if (encodingKnown && envelopeKnown)
        {
            string? e = encoding?.Type;
            if (e is EncodingTypes.AvroBinary or EncodingTypes.MsgPack && envelope is DelimitedEnvelopeDescriptor or DelimitedCsvEnvelopeDescriptor)
            {
                sink.Error("Envelope", $"'{envelope.Type}' cannot frame {e} records: {e} is self-delimiting and its bytes may contain any separator; use null, 'fixed'{(e == EncodingTypes.AvroBinary ? " or 'ocf-block'" : string.Empty)}.");
            }

            if (envelope is OcfBlockEnvelopeDescriptor && e != EncodingTypes.AvroBinary)
            {
                sink.Error("Envelope", $"'ocf-block' needs the avro-binary encoding; found {(e is null ? "null" : $"'{e}'")}.");
            }

            if (envelope is DelimitedCsvEnvelopeDescriptor && e != EncodingTypes.Csv)
            {
                sink.Error("Envelope", $"'delimited-csv' needs the csv encoding; found {(e is null ? "null" : $"'{e}'")}.");
            }
        }

        if (encodingKnown && schemaKnown)
        {
            string? e = encoding?.Type;
            if (e == EncodingTypes.AvroBinary && schema.Kind == SchemaKind.None)
            {
                sink.Error("Schema", "the avro-binary encoding needs a schema; found null.");
            }

            if (e == EncodingTypes.SoapRpc && schema.Kind != SchemaKind.None)
            {
                sink.Error("Schema", $"the soap-rpc encoding takes no schema (records are typed by xsi:type); found {DescribeReference(schema)}.");
            }

            if (resolved is not null)
            {
                if (e is null && resolved.Tag != Avro.Schema.Type.Bytes)
                {
                    sink.Error("Schema", $"the null encoding (raw bytes) needs the schema \"bytes\"; found {DescribeSchema(resolved)}.");
                }

                if (e == EncodingTypes.Utf8 && resolved.Tag != Avro.Schema.Type.String)
                {
                    sink.Error("Schema", $"the utf-8 encoding needs the schema \"string\"; found {DescribeSchema(resolved)}.");
                }

                if (e == EncodingTypes.Csv && resolved.Tag != Avro.Schema.Type.Record)
                {
                    sink.Error("Schema", $"the csv encoding needs a record schema (its fields name the columns); found {DescribeSchema(resolved)}.");
                }
            }

            if (e == EncodingTypes.Csv && schema.Kind == SchemaKind.None && transport is { PreservesRecordBoundaries: true })
            {
                sink.Error("Schema", $"a csv stream over a{An(transport.Type)} {transport.Type} transport has no header line, so it needs a record schema; found null.");
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

    /// <summary>The default envelope (FastScore spec §3).</summary>
    public static EnvelopeDescriptor? DefaultEnvelope(TransportDescriptor transport, EncodingDescriptor? encoding)
    {
        if (transport.PreservesRecordBoundaries || encoding is { IsSelfDelimiting: true })
        {
            return null;
        }

        return encoding?.Type == EncodingTypes.Csv ? new DelimitedCsvEnvelopeDescriptor() : new DelimitedEnvelopeDescriptor();
    }

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

    private static EncodingDescriptor? CanonicalEncoding(EncodingDescriptor? encoding, ErrorSink sink, ref bool known)
    {
        if (encoding is null)
        {
            return null;
        }

        string? type = DescriptorNames.CanonicalEncoding(encoding.Type ?? string.Empty);
        if (type is null)
        {
            sink.Error("Encoding", DescriptorNames.UnknownEncodingMessage(encoding.Type ?? string.Empty));
            known = false;
            return null;
        }

        if (type == EncodingTypes.Csv)
        {
            CsvEncodingDescriptor csv = encoding as CsvEncodingDescriptor ?? new CsvEncodingDescriptor();
            if (string.IsNullOrEmpty(csv.Delimiter))
            {
                sink.Error("Encoding.Delimiter", $"must be {Allowed.NonEmptyString}; found {(csv.Delimiter is null ? "null" : "\"\"")}.");
            }
            else if (csv.Delimiter.Contains(csv.QuoteCharacter, StringComparison.Ordinal))
            {
                sink.Error("Encoding.Delimiter", $"must not contain the quote character {Node.Quote(csv.QuoteCharacter.ToString())}; found {Node.Quote(csv.Delimiter)}.");
            }

            if (char.IsControl(csv.QuoteCharacter) && csv.QuoteCharacter != '\t')
            {
                sink.Error("Encoding.QuoteCharacter", $"must be a printable character; found {Node.Quote(csv.QuoteCharacter.ToString())}.");
            }

            return csv;
        }

        return encoding.Type == type && encoding.GetType() == typeof(EncodingDescriptor) ? encoding : new EncodingDescriptor(type);
    }

    private static EnvelopeDescriptor ValidateEnvelope(EnvelopeDescriptor envelope, ErrorSink sink)
    {
        if (envelope.MaxRecordSize < 1)
        {
            sink.Error("Envelope.MaxRecordSize", $"must be {Allowed.PositiveInt} (bytes); found {envelope.MaxRecordSize.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!Enum.IsDefined(envelope.OnOversize))
        {
            sink.Error("Envelope.OnOversize", $"must be {Allowed.OnOversize}; found {envelope.OnOversize}.");
        }

        switch (envelope)
        {
            case DelimitedEnvelopeDescriptor delimited when string.IsNullOrEmpty(delimited.Separator):
                sink.Error("Envelope.Separator", $"must be {Allowed.NonEmptyString}; found {(delimited.Separator is null ? "null" : "\"\"")}.");
                break;
            case DelimitedCsvEnvelopeDescriptor csv when string.IsNullOrEmpty(csv.Separator):
                sink.Error("Envelope.Separator", $"must be {Allowed.NonEmptyString}; found {(csv.Separator is null ? "null" : "\"\"")}.");
                break;
            case FixedEnvelopeDescriptor fixedSize:
                if (fixedSize.Size < 1)
                {
                    sink.Error("Envelope.Size", $"must be {Allowed.PositiveInt} (bytes per record); found {fixedSize.Size.ToString(CultureInfo.InvariantCulture)}.");
                }
                else if (fixedSize.Size > fixedSize.MaxRecordSize)
                {
                    sink.Error("Envelope.Size", $"must not exceed MaxRecordSize ({fixedSize.MaxRecordSize.ToString(CultureInfo.InvariantCulture)}); found {fixedSize.Size.ToString(CultureInfo.InvariantCulture)}.");
                }

                break;
            case OcfBlockEnvelopeDescriptor ocf:
                if (ocf.SyncMarker is { } marker && marker.Length != 16)
                {
                    sink.Error("Envelope.SyncMarker", $"must be the base64 text of exactly 16 bytes; found {marker.Length.ToString(CultureInfo.InvariantCulture)} bytes.");
                }

                if (!ocf.SkipHeader && ocf.SyncMarker is null)
                {
                    sink.Error("Envelope.SyncMarker", "is required when SkipHeader is false: without an OCF header the sync marker cannot be learnt; found null.");
                }

                string? compress = ocf.Compress;
                if (compress is not null && (compress.Equals("null", StringComparison.OrdinalIgnoreCase) || compress.Length == 0))
                {
                    return ocf with { Compress = null };
                }

                if (compress is not null && !compress.Equals("deflate", StringComparison.OrdinalIgnoreCase))
                {
                    sink.Error("Envelope.Compress", $"must be null or \"deflate\"; found {Node.Quote(compress)}.");
                }
                else if (compress is not null && compress != "deflate")
                {
                    return ocf with { Compress = "deflate" };
                }

                break;
        }

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

    private static string Mode(TransportDescriptor transport) => transport switch
    {
        RestTransportDescriptor => " in simple mode",
        HttpTransportDescriptor => " with Chunked true",
        InlineTransportDescriptor => " with an array of records",
        _ => string.Empty,
    };

    private static string Why(TransportDescriptor transport) => transport switch
    {
        _ when !transport.IsSeekable => " (cannot seek)",
        _ when transport.PreservesRecordBoundaries => $"{Mode(transport)} (preserves record boundaries)",
        _ => " (does not preserve record boundaries)",
    };
}
