namespace FastScore.Streams.Descriptors;

/// <summary>The canonical envelope names.</summary>
public static class EnvelopeTypes
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
}

/// <summary><c>delimited</c>: a record ends at <see cref="Separator"/>.</summary>
public sealed record DelimitedEnvelopeDescriptor : EnvelopeDescriptor
{
    /// <inheritdoc />
    public override string Type => EnvelopeTypes.Delimited;
    /// <summary>Gets the separator (any byte sequence, as a string).</summary>
    /// <value>The default value is <c>"\n"</c>.</value>
    public string Separator { get; init; } = "\n";
}

/// <summary><c>fixed</c>: records of exactly <see cref="Size"/> bytes; on output padded with zeros or truncated.</summary>
public sealed record FixedEnvelopeDescriptor : EnvelopeDescriptor
{
    /// <inheritdoc />
    public override string Type => EnvelopeTypes.Fixed;
    /// <summary>Gets the record size in bytes.</summary>
    public required int Size { get; init; }
}

/// <summary><c>ocf-block</c>: Avro Object Container File blocks.</summary>
public sealed record OcfBlockEnvelopeDescriptor : EnvelopeDescriptor
{
    /// <inheritdoc />
    public override string Type => EnvelopeTypes.OcfBlock;
    /// <summary>Gets the sync marker (16 bytes, base64 in JSON), or <see langword="null"/> to take it from the header.</summary>
    public ReadOnlyMemory<byte>? SyncMarker { get; init; }
    /// <summary>Gets the codec: <see langword="null"/> or <c>"deflate"</c>.</summary>
    public string? Compress { get; init; }
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
}

/// <summary><c>delimited-csv</c>: RFC 4180 lines (a separator inside quotes does not end the record).</summary>
public sealed record DelimitedCsvEnvelopeDescriptor : EnvelopeDescriptor
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
}

/// <summary>The canonical encoding names. <see langword="null"/> (raw bytes) is an encoding too.</summary>
public static class EncodingTypes
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
}

/// <summary>The <c>Encoding</c> field: how one record is encoded.</summary>
public record EncodingDescriptor
{
    /// <summary>Creates an encoding descriptor.</summary>
    /// <param name="type">The canonical encoding name (see <see cref="EncodingTypes"/>).</param>
    public EncodingDescriptor(string type) => Type = type;

    /// <summary>Gets the canonical encoding name.</summary>
    public string Type { get; }

    /// <summary>Gets a value indicating whether the encoding finds record ends by itself.</summary>
    public virtual bool IsSelfDelimiting => Type is EncodingTypes.AvroBinary or EncodingTypes.MsgPack or EncodingTypes.SoapRpc;

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
    public static CsvEncodingDescriptor Csv { get; } = new();
}

/// <summary>The <c>csv</c> encoding with its parameters.</summary>
public sealed record CsvEncodingDescriptor : EncodingDescriptor
{
    /// <summary>Creates the descriptor.</summary>
    public CsvEncodingDescriptor() : base(EncodingTypes.Csv) { }

    /// <summary>Gets the field delimiter (may be several characters).</summary>
    /// <value>The default value is <c>","</c>.</value>
    public string Delimiter { get; init; } = ",";

    /// <summary>Gets the quote character.</summary>
    /// <value>The default value is <c>'"'</c>.</value>
    public char QuoteCharacter { get; init; } = '"';
}
