namespace FastScore.Streams.Descriptors;

/// <summary>The canonical envelope names.</summary>
internal static class EnvelopeTypes
{
    /// <summary>Records end at a separator byte sequence.</summary>
    public const string Delimited = "delimited";
    /// <summary>Records of exactly <c>Size</c> bytes.</summary>
    public const string Fixed = "fixed";
    /// <summary>Avro Object Container File blocks.</summary>
    public const string OcfBlock = "ocf-block";
    /// <summary>RFC 4180 CSV lines.</summary>
    public const string DelimitedCsv = "delimited-csv";
}

/// <summary>What a framer does with a record longer than its maximum size.</summary>
public enum OversizePolicy
{
    /// <summary>
    /// Drop the record and go on with the next one: the stream rejects it by encoding (counted, and reported with its
    /// slot, record number and byte position, like any other rejected record) and counts it as oversized. The framer
    /// skips through the record without buffering it. The default. Descriptors also accept <c>"skip"</c> and <c>"drop"</c>.
    /// </summary>
    Reject,
    /// <summary>Fail the stream with a <see cref="StreamFormatException"/> naming the record number and byte position (records before it are still delivered).</summary>
    Fail,
    /// <summary>Keep the first MaxRecordSize bytes as the record (counted as oversized, not rejected).</summary>
    Truncate,
}

/// <summary>The <c>Envelope</c> field: how bytes are cut into records.</summary>
public abstract record EnvelopeDescriptor
{
    /// <summary>The default <see cref="MaxRecordSize"/>: 8 MiB.</summary>
    public const int DefaultMaxRecordSize = 8 * 1024 * 1024;

    /// <summary>Gets the canonical envelope name.</summary>
    public abstract string Type { get; }

    /// <summary>Gets the maximum record size in bytes (a FastScore.Streams extension: <c>MaxRecordSize</c>).</summary>
    /// <value>The default value is 8 MiB.</value>
    public int MaxRecordSize { get; init; } = DefaultMaxRecordSize;

    /// <summary>Gets what happens to a longer record (a FastScore.Streams extension: <c>OnOversize</c>).</summary>
    /// <value>The default value is <see cref="OversizePolicy.Reject"/>.</value>
    public OversizePolicy OnOversize { get; init; } = OversizePolicy.Reject;

    /// <summary>Checks the envelope's own fields (the core checks <see cref="MaxRecordSize"/> and <see cref="OnOversize"/>).</summary>
    /// <param name="errors">Where errors go; paths are relative to <c>Envelope</c>.</param>
    protected internal virtual void Validate(DescriptorErrors errors)
    {
    }

    /// <summary>Writes the envelope's own fields (the core writes <c>Type</c>, <c>MaxRecordSize</c> and <c>OnOversize</c>).</summary>
    /// <param name="writer">The writer, inside the envelope object.</param>
    protected internal virtual void WriteFields(DescriptorWriter writer)
    {
    }
}

/// <summary><c>delimited</c>: a record ends at <see cref="Separator"/>.</summary>
internal sealed record DelimitedEnvelopeDescriptor : EnvelopeDescriptor
{
    /// <inheritdoc />
    public override string Type => EnvelopeTypes.Delimited;
    /// <summary>Gets the separator (any byte sequence, as a string).</summary>
    /// <value>The default value is <c>"\n"</c>.</value>
    public string Separator { get; init; } = "\n";

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(Separator))
        {
            errors.Add("Separator", $"must be {Descriptors.Json.Allowed.NonEmptyString}; found {(Separator is null ? "null" : "\"\"")}.");
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Separator", Separator);
    }
}

/// <summary><c>fixed</c>: records of exactly <see cref="Size"/> bytes; on output padded with zeros or truncated.</summary>
internal sealed record FixedEnvelopeDescriptor : EnvelopeDescriptor
{
    /// <inheritdoc />
    public override string Type => EnvelopeTypes.Fixed;
    /// <summary>Gets the record size in bytes.</summary>
    public required int Size { get; init; }

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Size < 1)
        {
            errors.Add("Size", $"must be {Descriptors.Json.Allowed.PositiveInt} (bytes per record); found {Size.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
        else if (Size > MaxRecordSize)
        {
            errors.Add("Size", $"must not exceed MaxRecordSize ({MaxRecordSize.ToString(System.Globalization.CultureInfo.InvariantCulture)}); found {Size.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("Size", Size);
    }
}

/// <summary><c>ocf-block</c>: Avro Object Container File blocks.</summary>
internal sealed record OcfBlockEnvelopeDescriptor : EnvelopeDescriptor
{
    /// <inheritdoc />
    public override string Type => EnvelopeTypes.OcfBlock;
    /// <summary>Gets the sync marker (16 bytes, base64 in JSON), or <see langword="null"/> to take it from the header.</summary>
    public ReadOnlyMemory<byte>? SyncMarker { get; init; }
    /// <summary>Gets the codec: <see langword="null"/>, <c>"deflate"</c>, <c>"snappy"</c> or <c>"zstandard"</c> (<c>""</c> and <c>"null"</c> are read as null; names in any case; <c>"zstd"</c> as <c>"zstandard"</c>).</summary>
    public string? Compress
    {
        get;
        init => field = value is null || value.Length == 0 || value.Equals("null", StringComparison.OrdinalIgnoreCase) ? null
            : value.Equals("deflate", StringComparison.OrdinalIgnoreCase) ? "deflate"
            : value.Equals("snappy", StringComparison.OrdinalIgnoreCase) ? "snappy"
            : value.Equals("zstandard", StringComparison.OrdinalIgnoreCase) || value.Equals("zstd", StringComparison.OrdinalIgnoreCase) ? "zstandard" : value;
    }
    /// <summary>Gets a value indicating whether the stream starts with an OCF header.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SkipHeader { get; init; } = true;

    /// <summary>Compares every field; the sync marker is compared byte by byte.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same envelope.</returns>
    public bool Equals(OcfBlockEnvelopeDescriptor? other) =>
        other is not null
        && base.Equals(other)
        && Compress == other.Compress
        && SkipHeader == other.SkipHeader
        && SyncMarker.HasValue == other.SyncMarker.HasValue
        && (!SyncMarker.HasValue || SyncMarker.GetValueOrDefault().Span.SequenceEqual(other.SyncMarker.GetValueOrDefault().Span));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Compress, SkipHeader, SyncMarker.HasValue);

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (SyncMarker is { } marker && marker.Length != 16)
        {
            errors.Add("SyncMarker", $"must be the base64 text of exactly 16 bytes; found {marker.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes.");
        }

        if (!SkipHeader && SyncMarker is null)
        {
            errors.Add("SyncMarker", "is required when SkipHeader is false: without an OCF header the sync marker cannot be learnt; found null.");
        }

        if (Compress is not null and not "deflate" and not "snappy" and not "zstandard")
        {
            errors.Add("Compress", $"must be null, \"deflate\", \"snappy\" or \"zstandard\"; found {DescriptorErrors.Quote(Compress)}.");
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (SyncMarker is { } marker)
        {
            writer.Json.WriteBase64String(writer.Name("SyncMarker"), marker.Span);
        }
        else
        {
            writer.Json.WriteNull(writer.Name("SyncMarker"));
        }

        writer.WriteString("Compress", Compress);
        writer.WriteBoolean("SkipHeader", SkipHeader);
    }
}

/// <summary><c>delimited-csv</c>: RFC 4180 lines (a separator inside quotes does not end the record).</summary>
internal sealed record DelimitedCsvEnvelopeDescriptor : EnvelopeDescriptor
{
    /// <inheritdoc />
    public override string Type => EnvelopeTypes.DelimitedCsv;
    /// <summary>Gets the record separator.</summary>
    /// <value>The default value is <c>"\r\n"</c>.</value>
    public string Separator { get; init; } = "\r\n";
    /// <summary>Gets a value indicating whether the first line is a header.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SkipHeader { get; init; } = true;
    /// <summary>Gets a value indicating whether blank lines are skipped.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SkipBlankLines { get; init; } = true;

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(Separator))
        {
            errors.Add("Separator", $"must be {Descriptors.Json.Allowed.NonEmptyString}; found {(Separator is null ? "null" : "\"\"")}.");
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Separator", Separator);
        writer.WriteBoolean("SkipHeader", SkipHeader);
        writer.WriteBoolean("SkipBlankLines", SkipBlankLines);
    }
}

/// <summary>The canonical encoding names. <see langword="null"/> (raw bytes) is an encoding too.</summary>
internal static class EncodingTypes
{
    /// <summary>JSON (System.Text.Json).</summary>
    public const string Json = "json";
    /// <summary>UTF-8 text (<c>utf8</c> is accepted on input).</summary>
    public const string Utf8 = "utf-8";
    /// <summary>Avro binary.</summary>
    public const string AvroBinary = "avro-binary";
    /// <summary>CSV.</summary>
    public const string Csv = "csv";
    /// <summary>MessagePack.</summary>
    public const string MsgPack = "msgpack";
    /// <summary>SOAP RPC (experimental in FastScore).</summary>
    public const string SoapRpc = "soap-rpc";
    /// <summary>The name the null encoding (raw bytes, <c>"Encoding": null</c>) is registered under; descriptors write <c>null</c>, not this name.</summary>
    public const string Null = "null";
}

/// <summary>The <c>Encoding</c> field: how one record is encoded.</summary>
public record EncodingDescriptor
{
    /// <summary>Creates an encoding descriptor.</summary>
    /// <param name="type">The canonical encoding name (see <see cref="EncodingTypes"/>).</param>
    public EncodingDescriptor(string type) => Type = type;

    /// <summary>Gets the canonical encoding name.</summary>
    public string Type { get; }

    /// <summary>Gets a value indicating whether the encoding finds record ends by itself (as its provider declares it for the built-in names; the rules ask the provider).</summary>
    public virtual bool IsSelfDelimiting => Type is EncodingTypes.AvroBinary or EncodingTypes.MsgPack or EncodingTypes.SoapRpc;

    /// <summary>Checks the encoding's own fields (an encoding without fields has nothing to check).</summary>
    /// <param name="errors">Where errors go; paths are relative to <c>Encoding</c>.</param>
    protected internal virtual void Validate(DescriptorErrors errors)
    {
    }

    /// <summary>Writes the encoding as one JSON value: its name (the default), or an object with <c>Type</c> and its fields.</summary>
    /// <param name="writer">The writer, after the <c>Encoding</c> property name.</param>
    protected internal virtual void Write(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Json.WriteStringValue(Type);
    }

    /// <summary>JSON.</summary>
    public static EncodingDescriptor Json { get; } = new(EncodingTypes.Json);

    /// <summary>UTF-8 text.</summary>
    public static EncodingDescriptor Utf8 { get; } = new(EncodingTypes.Utf8);

    /// <summary>Avro binary.</summary>
    public static EncodingDescriptor AvroBinary { get; } = new(EncodingTypes.AvroBinary);

    /// <summary>MessagePack.</summary>
    public static EncodingDescriptor MsgPack { get; } = new(EncodingTypes.MsgPack);

    /// <summary>SOAP RPC (experimental in FastScore).</summary>
    public static EncodingDescriptor SoapRpc { get; } = new(EncodingTypes.SoapRpc);

    /// <summary>CSV with the default delimiter and quote character.</summary>
    public static EncodingDescriptor Csv { get; } = new CsvEncodingDescriptor();
}

/// <summary>The <c>csv</c> encoding with its parameters.</summary>
internal sealed record CsvEncodingDescriptor : EncodingDescriptor
{
    /// <summary>Creates the descriptor.</summary>
    public CsvEncodingDescriptor() : base(EncodingTypes.Csv) { }

    /// <summary>Gets the field delimiter (may be several characters).</summary>
    /// <value>The default value is <c>","</c>.</value>
    public string Delimiter { get; init; } = ",";

    /// <summary>Gets the quote character.</summary>
    /// <value>The default value is <c>'"'</c>.</value>
    public char QuoteCharacter { get; init; } = '"';

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(Delimiter))
        {
            errors.Add("Delimiter", $"must be {Descriptors.Json.Allowed.NonEmptyString}; found {(Delimiter is null ? "null" : "\"\"")}.");
        }
        else if (Delimiter.Contains(QuoteCharacter, StringComparison.Ordinal))
        {
            errors.Add("Delimiter", $"must not contain the quote character {DescriptorErrors.Quote(QuoteCharacter.ToString())}; found {DescriptorErrors.Quote(Delimiter)}.");
        }

        if (char.IsControl(QuoteCharacter) && QuoteCharacter != '\t')
        {
            errors.Add("QuoteCharacter", $"must be a printable character; found {DescriptorErrors.Quote(QuoteCharacter.ToString())}.");
        }
    }

    /// <inheritdoc />
    protected internal override void Write(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Json.WriteStartObject();
        writer.WriteString("Type", Type);
        writer.WriteString("Delimiter", Delimiter);
        writer.WriteString("QuoteCharacter", QuoteCharacter.ToString());
        writer.Json.WriteEndObject();
    }
}
