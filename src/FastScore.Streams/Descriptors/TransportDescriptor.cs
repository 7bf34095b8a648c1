using System.Text.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>The canonical (lower-case) transport type names. Names match case-insensitively on input.</summary>
internal static class TransportTypes
{
    /// <summary>HTTP(S) GET of a URL.</summary>
    public const string Http = "http";
    /// <summary>A local file.</summary>
    public const string File = "file";
    /// <summary>A TCP socket.</summary>
    public const string Tcp = "tcp";
    /// <summary>A UDP socket.</summary>
    public const string Udp = "udp";
    /// <summary>A child process's stdin/stdout.</summary>
    public const string Exec = "exec";
    /// <summary>Records written in the descriptor itself.</summary>
    public const string Inline = "inline";
    /// <summary>An output that drops everything.</summary>
    public const string Discard = "discard";
    /// <summary>The console: stdin for input, stdout for output.</summary>
    public const string Console = "console";
}

/// <summary>The <c>Transport</c> field of a descriptor. One sealed subclass per transport type.</summary>
public abstract record TransportDescriptor
{
    /// <summary>Gets the canonical lower-case type name, e.g. <c>"kafka"</c>.</summary>
    public abstract string Type { get; }

    /// <summary>Gets a value indicating whether each message is exactly one record (no envelope needed).</summary>
    public abstract bool PreservesRecordBoundaries { get; }

    /// <summary>Gets a value indicating whether the transport can rewind or start at an offset (Loop, SkipTo, SkipToRecord).</summary>
    public abstract bool IsSeekable { get; }

    /// <summary>Gets a value indicating whether the transport can be an input.</summary>
    public virtual bool CanRead => true;

    /// <summary>Gets a value indicating whether the transport can be an output.</summary>
    public virtual bool CanWrite => true;

    /// <summary>
    /// Gets a value indicating whether the transport delivers records in a format of its own (database rows), so that the
    /// descriptor's <c>Encoding</c> and <c>Schema</c> must be null.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public virtual bool DefinesRecordFormat => false;

    /// <summary>
    /// Gets where reading starts when the descriptor gives no <c>SkipToRecord</c>, for a transport that always starts at a
    /// record position (then <c>"SkipToRecord": null</c> is an error).
    /// </summary>
    /// <param name="loops">The descriptor's <c>Loop</c>.</param>
    /// <returns>The position, or <see langword="null"/> (the default) when the transport needs none.</returns>
    protected internal virtual RecordPosition? DefaultStartPosition(bool loops) => null;

    /// <summary>Describes the shape that decides the capabilities, for error messages, e.g. <c>" in simple mode"</c> (with a leading space), or the empty string.</summary>
    /// <returns>The description.</returns>
    protected internal virtual string DescribeShape() => string.Empty;

    /// <summary>
    /// Says what makes a descriptor of this transport usable in a direction it cannot serve as written, added to the
    /// "cannot be an input/output" error of a slot check, e.g. <c>"give SelectQuery"</c> for a database transport whose
    /// direction follows its fields; the empty string (the default) adds nothing.
    /// </summary>
    /// <param name="input">Whether the descriptor was needed as an input.</param>
    /// <returns>The hint, or the empty string.</returns>
    protected internal virtual string DirectionHint(bool input) => string.Empty;

    /// <summary>
    /// Checks the transport's own fields: ranges, formats, pairs of fields that go together. Descriptors read from
    /// JSON, configuration or a literal and descriptors made by the builder all go through it.
    /// </summary>
    /// <param name="errors">Where errors go; paths are relative to <c>Transport</c>.</param>
    protected internal virtual void Validate(DescriptorErrors errors)
    {
    }

    /// <summary>Writes the transport's fields (the core writes <c>Type</c> first); mask secrets with <see cref="DescriptorWriter.WriteSecret"/> and <see cref="DescriptorWriter.WriteUrl"/>.</summary>
    /// <param name="writer">The writer, inside the transport object.</param>
    protected internal virtual void WriteFields(DescriptorWriter writer)
    {
    }
}

/// <summary>file: a local file.</summary>
internal sealed record FileTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.File;
    /// <summary>Gets the absolute path.</summary>
    public required string Path { get; init; }
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;
    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(Path) || !System.IO.Path.IsPathFullyQualified(Path))
        {
            errors.Add("Path", $"must be an absolute path, e.g. \"/data/input.jsons\"; found {DescriptorErrors.Quote(Path ?? string.Empty)}.");
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Path", Path);
    }
}

/// <summary>inline: records written in the descriptor (input only). One chunk, or one record per element.</summary>
internal sealed record InlineTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Inline;
    /// <summary>Gets the data items as bytes (from <c>Data</c> as UTF-8, or <c>DataBinary</c> decoded from base64).</summary>
    public required IReadOnlyList<ReadOnlyMemory<byte>> Items { get; init; }
    /// <summary>Gets a value indicating whether the data was one chunk (a string) rather than an array of records.</summary>
    public bool IsChunk { get; init; }
    /// <summary>Gets a value indicating whether the data came from <c>DataBinary</c>.</summary>
    public bool IsBinary { get; init; }
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => !IsChunk;
    /// <inheritdoc />
    protected internal override string DescribeShape() => IsChunk ? string.Empty : " with an array of records";
    /// <inheritdoc />
    public override bool IsSeekable => true;
    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <summary>Compares every field; the items are compared byte by byte.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same data.</returns>
    public bool Equals(InlineTransportDescriptor? other)
    {
        if (other is null || !base.Equals(other) || IsChunk != other.IsChunk || IsBinary != other.IsBinary || Items.Count != other.Items.Count)
        {
            return false;
        }

        for (int i = 0; i < Items.Count; i++)
        {
            if (!Items[i].Span.SequenceEqual(other.Items[i].Span))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(IsChunk, IsBinary, Items.Count);

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        string itemsPath = IsBinary ? "DataBinary" : "Data";
        if (IsChunk && Items.Count != 1)
        {
            errors.Add(itemsPath, $"a chunk is exactly one string; found {Items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)} items.");
        }

        if (!IsBinary)
        {
            var strict = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
            for (int i = 0; i < Items.Count; i++)
            {
                try
                {
                    _ = strict.GetCharCount(Items[i].Span);
                }
                catch (System.Text.DecoderFallbackException)
                {
                    errors.Add(IsChunk ? itemsPath : DescriptorErrors.Item(itemsPath, i), "is not valid UTF-8 text; give binary records as DataBinary.");
                }
            }
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Utf8JsonWriter json = writer.Json;
        json.WritePropertyName(writer.Name(IsBinary ? "DataBinary" : "Data"));
        if (!IsChunk)
        {
            json.WriteStartArray();
        }

        foreach (ReadOnlyMemory<byte> item in Items)
        {
            if (IsBinary)
            {
                json.WriteBase64StringValue(item.Span);
            }
            else
            {
                json.WriteStringValue(System.Text.Encoding.UTF8.GetString(item.Span));
            }
        }

        if (!IsChunk)
        {
            json.WriteEndArray();
        }
    }
}

/// <summary>discard: drops everything (output only).</summary>
internal sealed record DiscardTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Discard;
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;
    /// <inheritdoc />
    public override bool IsSeekable => false;
    /// <inheritdoc />
    public override bool CanRead => false;
}

/// <summary>console: stdin for input, stdout for output (dropped by FastScore; kept here for the CLI).</summary>
internal sealed record ConsoleTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Console;
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;
    /// <inheritdoc />
    public override bool IsSeekable => false;
}

/// <summary>A transport type registered by a third-party package: its fields are kept as raw JSON.</summary>
public sealed record CustomTransportDescriptor : TransportDescriptor
{
    private readonly string _type;
    private readonly bool _canRead;
    private readonly bool _canWrite;

    /// <summary>Creates the descriptor.</summary>
    /// <param name="type">The lower-case type name.</param>
    /// <param name="fields">The transport object as JSON (including <c>Type</c>).</param>
    /// <param name="preservesRecordBoundaries">Whether each message is one record.</param>
    /// <param name="isSeekable">Whether the transport can seek.</param>
    public CustomTransportDescriptor(string type, JsonElement fields, bool preservesRecordBoundaries, bool isSeekable)
        : this(type, fields, preservesRecordBoundaries, isSeekable, canRead: true, canWrite: true)
    {
    }

    /// <summary>Creates the descriptor with its direction capabilities.</summary>
    /// <param name="type">The lower-case type name.</param>
    /// <param name="fields">The transport object as JSON (including <c>Type</c>).</param>
    /// <param name="preservesRecordBoundaries">Whether each message is one record.</param>
    /// <param name="isSeekable">Whether the transport can seek.</param>
    /// <param name="canRead">Whether the transport can be an input.</param>
    /// <param name="canWrite">Whether the transport can be an output.</param>
    public CustomTransportDescriptor(string type, JsonElement fields, bool preservesRecordBoundaries, bool isSeekable, bool canRead, bool canWrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        _type = type.ToLowerInvariant();
        Fields = fields.ValueKind == JsonValueKind.Undefined ? fields : fields.Clone();
        PreservesRecordBoundaries = preservesRecordBoundaries;
        IsSeekable = isSeekable;
        _canRead = canRead;
        _canWrite = canWrite;
    }

    /// <inheritdoc />
    public override string Type => _type;
    /// <summary>Gets the transport object as JSON.</summary>
    public JsonElement Fields { get; }
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries { get; }
    /// <inheritdoc />
    public override bool IsSeekable { get; }
    /// <inheritdoc />
    public override bool CanRead => _canRead;
    /// <inheritdoc />
    public override bool CanWrite => _canWrite;

    /// <summary>Prints the members for <c>ToString()</c>: the type and the fields as JSON, secrets masked as in <see cref="StreamDescriptor.ToDisplayJson"/>.</summary>
    /// <param name="builder">Receives the members.</param>
    /// <returns><see langword="true"/>.</returns>
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string fields = Fields.ValueKind == JsonValueKind.Undefined ? "" : new StreamDescriptor { Transport = this }.ToDisplayJson(indented: false);
        builder.Append("Type = ").Append(Type).Append(", Descriptor = ").Append(fields);
        return true;
    }

    /// <summary>Compares the type, the capabilities and the JSON of the fields.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same transport.</returns>
    public bool Equals(CustomTransportDescriptor? other) =>
        other is not null
        && base.Equals(other)
        && _type == other._type
        && PreservesRecordBoundaries == other.PreservesRecordBoundaries
        && IsSeekable == other.IsSeekable
        && _canRead == other._canRead
        && _canWrite == other._canWrite
        && DescriptorEquality.JsonEquals(Fields, other.Fields);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_type, PreservesRecordBoundaries, IsSeekable);

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Fields.ValueKind != JsonValueKind.Object)
        {
            errors.Add(string.Empty, $"the fields of a {Type} transport must be a JSON object; found {Fields.ValueKind.ToString().ToLowerInvariant()}.");
        }
    }

    /// <summary>Writes every field as it was given; in the display forms, values of keys naming a secret (password, secret, token, credential, passwd) are masked, and secrets inside other strings.</summary>
    /// <param name="writer">The writer, inside the transport object.</param>
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Fields.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (JsonProperty property in Fields.EnumerateObject())
        {
            if (property.Name.Equals("Type", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            writer.Json.WritePropertyName(writer.Name(property.Name));
            writer.WriteMasked(property.Value, DescriptorWriter.CustomSecretWords, DescriptorWriter.IsSecretKey(property.Name, DescriptorWriter.CustomSecretWords));
        }
    }
}
