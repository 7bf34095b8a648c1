namespace FastScore.Streams.Descriptors;

/// <summary>
/// A FastScore stream descriptor: where records come from or go to (<see cref="Transport"/>), how bytes are cut
/// into records (<see cref="Envelope"/>), how a record is encoded (<see cref="Encoding"/>) and which Avro
/// <see cref="Schema"/> every record must satisfy. Instances are immutable; create validated ones with
/// <see cref="Parse(string, StreamDescriptorOptions?)"/>, <see cref="StreamLiteral"/> or <see cref="CreateBuilder"/>.
/// </summary>
/// <remarks>
/// Every default of the FastScore specification is already filled in. Safe to share between threads.
/// Equality compares every field except <see cref="Warnings"/>.
/// </remarks>
public sealed partial record StreamDescriptor
{
    /// <summary>The only descriptor format version FastScore defines.</summary>
    public const string CurrentVersion = "1.2";

    /// <summary>Gets the descriptor format version.</summary>
    /// <value>The default value is <c>"1.2"</c>.</value>
    public string Version { get; init; } = CurrentVersion;

    /// <summary>Gets the free-text description, if any.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the transport: where the records come from or go to.</summary>
    public required TransportDescriptor Transport { get; init; }

    /// <summary>Gets a value indicating whether the stream rewinds to the start at end of stream.</summary>
    /// <value>The default value is <see langword="false"/> (see docs/descriptors.md for the CONFLICT decision).</value>
    public bool Loop { get; init; }

    /// <summary>Gets the byte offset at which reading starts, or <see langword="null"/>.</summary>
    public long? SkipTo { get; init; }

    /// <summary>Gets the record at which reading starts, or <see langword="null"/>.</summary>
    public RecordPosition? SkipToRecord { get; init; }

    /// <summary>Gets the envelope (record framing), or <see langword="null"/> for no framing.</summary>
    public EnvelopeDescriptor? Envelope { get; init; }

    /// <summary>Gets the encoding, or <see langword="null"/> for raw bytes (FastScore's null encoding).</summary>
    public EncodingDescriptor? Encoding { get; init; }

    /// <summary>Gets the schema the records must satisfy.</summary>
    /// <value>The default value is <see cref="SchemaReference.Inherit"/>.</value>
    public SchemaReference Schema { get; init; } = SchemaReference.Inherit;

    /// <summary>Gets how records are grouped into batches before the model.</summary>
    /// <value>The default value is <see cref="BatchingDescriptor.Normal"/>.</value>
    public BatchingDescriptor Batching { get; init; } = BatchingDescriptor.Normal;

    /// <summary>Gets how long, in milliseconds, a closing output waits for pending records; <see langword="null"/> disables the wait.</summary>
    /// <value>The default value is 3000.</value>
    public int? LingerTime { get; init; } = DefaultLingerTime;

    /// <summary>Gets the warnings found while reading the descriptor (e.g. a newer minor <c>Version</c>, an old spelling).</summary>
    /// <value>The default value is an empty list. Not part of equality.</value>
    public IReadOnlyList<DescriptorError> Warnings { get; init; } = [];

    /// <summary>The default <see cref="LingerTime"/> in milliseconds.</summary>
    public const int DefaultLingerTime = 3000;

    /// <summary>Compares every field except <see cref="Warnings"/>.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same stream.</returns>
    public bool Equals(StreamDescriptor? other) =>
        other is not null
        && Version == other.Version
        && Description == other.Description
        && Transport.Equals(other.Transport)
        && Loop == other.Loop
        && SkipTo == other.SkipTo
        && SkipToRecord == other.SkipToRecord
        && Equals(Envelope, other.Envelope)
        && Equals(Encoding, other.Encoding)
        && Schema.Equals(other.Schema)
        && Batching.Equals(other.Batching)
        && LingerTime == other.LingerTime;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Transport, Loop, SkipTo, Envelope, Encoding, Schema, Batching, LingerTime);
}

/// <summary>Where a boundary-preserving stream starts reading: a record number, or the earliest or latest record.</summary>
/// <param name="Kind">Which kind of position.</param>
/// <param name="Offset">The record number (offset) when <paramref name="Kind"/> is <see cref="RecordPositionKind.Offset"/>.</param>
public readonly record struct RecordPosition(RecordPositionKind Kind, long Offset = 0)
{
    /// <summary>The earliest available record (<c>"earliest"</c>).</summary>
    public static RecordPosition Earliest => new(RecordPositionKind.Earliest);

    /// <summary>The next record to arrive (<c>"latest"</c>).</summary>
    public static RecordPosition Latest => new(RecordPositionKind.Latest);

    /// <summary>A record number.</summary>
    /// <param name="offset">The record number.</param>
    /// <returns>The position.</returns>
    public static RecordPosition At(long offset) => new(RecordPositionKind.Offset, offset);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        RecordPositionKind.Earliest => "earliest",
        RecordPositionKind.Latest => "latest",
        _ => Offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The kind of a <see cref="RecordPosition"/>.</summary>
public enum RecordPositionKind
{
    /// <summary>A numeric record offset.</summary>
    Offset,

    /// <summary>The earliest record.</summary>
    Earliest,

    /// <summary>The latest record.</summary>
    Latest,
}

/// <summary>How records are grouped into batches: a batch closes at <see cref="Watermark"/> records or after <see cref="NagleTime"/> ms without new records, whichever comes first.</summary>
/// <param name="Watermark">The maximum number of records per batch, or <see langword="null"/> for no limit.</param>
/// <param name="NagleTime">The longest wait in milliseconds for more records, or <see langword="null"/> for no time limit.</param>
public sealed record BatchingDescriptor(int? Watermark, int? NagleTime)
{
    /// <summary><c>"normal"</c>: Watermark 1000, NagleTime 500.</summary>
    public static BatchingDescriptor Normal { get; } = new(1000, 500);

    /// <summary><c>"explicit"</c>: batches end only at control records.</summary>
    public static BatchingDescriptor Explicit { get; } = new(null, null);

    /// <summary><c>null</c>: every record is its own batch.</summary>
    public static BatchingDescriptor None { get; } = new(1, null);
}

/// <summary>The kind of a <see cref="SchemaReference"/>.</summary>
public enum SchemaKind
{
    /// <summary><c>"$inherit"</c>: use the schema of the model's slot.</summary>
    Inherit,

    /// <summary><c>null</c>: untyped; no checking.</summary>
    None,

    /// <summary>An Avro schema given inline.</summary>
    Inline,

    /// <summary><c>{"$ref": name}</c>: a named schema from the schema library.</summary>
    Reference,
}

/// <summary>The <c>Schema</c> field of a descriptor: inherited, none, inline Avro JSON, or a named reference.</summary>
public sealed record SchemaReference
{
    private SchemaReference(SchemaKind kind, string? name, string? json)
    {
        Kind = kind;
        Name = name;
        Json = json;
    }

    /// <summary>Gets the kind of reference.</summary>
    public SchemaKind Kind { get; }

    /// <summary>Gets the schema name when <see cref="Kind"/> is <see cref="SchemaKind.Reference"/>.</summary>
    public string? Name { get; }

    /// <summary>Gets the Avro schema as compact JSON when <see cref="Kind"/> is <see cref="SchemaKind.Inline"/>.</summary>
    public string? Json { get; }

    /// <summary><c>"$inherit"</c>.</summary>
    public static SchemaReference Inherit { get; } = new(SchemaKind.Inherit, null, null);

    /// <summary><c>null</c>: untyped.</summary>
    public static SchemaReference None { get; } = new(SchemaKind.None, null, null);

    /// <summary>A named schema, resolved through the schema library.</summary>
    /// <param name="name">The schema name (file <c>name.avsc</c> in a schema folder).</param>
    /// <returns>The reference.</returns>
    public static SchemaReference Ref(string name) => new(SchemaKind.Reference, name, null);

    /// <summary>An inline Avro schema.</summary>
    /// <param name="json">The Avro schema in JSON form (validity is checked by the parser and the builder).</param>
    /// <returns>The reference.</returns>
    public static SchemaReference Inline(string json) => new(SchemaKind.Inline, null, json);
}
