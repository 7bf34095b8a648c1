using System.Text.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>The canonical (lower-case) transport type names. Names match case-insensitively on input.</summary>
public static class TransportTypes
{
    /// <summary>HTTP(S) GET of a URL.</summary>
    public const string Http = "http";
    /// <summary>Apache Kafka.</summary>
    public const string Kafka = "kafka";
    /// <summary>A local file.</summary>
    public const string File = "file";
    /// <summary>An ODBC database.</summary>
    public const string Odbc = "odbc";
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
    /// <summary>A file in HDFS (FastScore v1.9).</summary>
    public const string Hdfs = "hdfs";
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

/// <summary>HTTP: reads a URL (input only).</summary>
public sealed record HttpTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Http;
    /// <summary>Gets the URL to read.</summary>
    public required string Url { get; init; }
    /// <summary>Gets a value indicating whether each <c>Transfer-Encoding: chunked</c> chunk is one record.</summary>
    public bool Chunked { get; init; }
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => Chunked;
    /// <inheritdoc />
    protected internal override string DescribeShape() => Chunked ? " with Chunked true" : string.Empty;
    /// <inheritdoc />
    public override bool IsSeekable => !Chunked;
    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <summary>Prints the members for <c>ToString()</c> with the secrets inside <see cref="Url"/> masked (<see cref="Diagnostics.SafeText.MaskSecrets"/>).</summary>
    /// <param name="builder">Receives the members.</param>
    /// <returns><see langword="true"/>.</returns>
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append("Type = ").Append(Type)
            .Append(", Url = ").Append(Diagnostics.SafeText.MaskSecrets(Url))
            .Append(", Chunked = ").Append(Chunked);
        return true;
    }
}

/// <summary>Kafka: a topic (one partition, or all of them under a consumer group).</summary>
public sealed record KafkaTransportDescriptor : TransportDescriptor
{
    /// <summary>The FastScore default of <see cref="MaxWaitTime"/> (0x7FFFFF).</summary>
    public const long DefaultMaxWaitTime = 8388607;
    /// <inheritdoc />
    public override string Type => TransportTypes.Kafka;
    /// <summary>Gets the bootstrap servers, each <c>host:port</c>.</summary>
    public required IReadOnlyList<string> BootstrapServers { get; init; }
    /// <summary>Gets the topic.</summary>
    public required string Topic { get; init; }
    /// <summary>Gets the partition read when no <see cref="Group"/> is set.</summary>
    /// <value>The default value is 0.</value>
    public int Partition { get; init; }
    /// <summary>Gets how long, in milliseconds, the input waits without records before end of stream; <see langword="null"/> waits forever.</summary>
    /// <value>The default value is 8388607 (FastScore's default; the unit, unknown in FastScore, is milliseconds here: see docs/descriptors.md).</value>
    public long? MaxWaitTime { get; init; } = DefaultMaxWaitTime;
    /// <summary>Gets the consumer group, or <see langword="null"/>.</summary>
    public string? Group { get; init; }
    /// <summary>Gets a value indicating whether offsets are committed.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CommitOffset { get; init; } = true;
    /// <summary>Gets the Kerberos principal, or <see langword="null"/>.</summary>
    public string? Principal { get; init; }
    /// <summary>Gets the Kerberos keytab path, or <see langword="null"/>.</summary>
    public string? Keytab { get; init; }
    /// <summary>Gets where an input starts when no SkipToRecord is given: the earliest record when looping, otherwise the latest.</summary>
    /// <param name="loops">The descriptor's Loop.</param>
    /// <returns>The position.</returns>
    protected internal override RecordPosition? DefaultStartPosition(bool loops) => loops ? RecordPosition.Earliest : RecordPosition.Latest;
    /// <summary>Gets librdkafka settings passed through unchanged (security.protocol, sasl.*, ssl.*, ...).</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => true;
    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <summary>Compares every field; lists and <see cref="Config"/> are compared by content.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same transport.</returns>
    public bool Equals(KafkaTransportDescriptor? other) =>
        other is not null
        && base.Equals(other)
        && BootstrapServers.SequenceEqual(other.BootstrapServers, StringComparer.Ordinal)
        && Topic == other.Topic
        && Partition == other.Partition
        && MaxWaitTime == other.MaxWaitTime
        && Group == other.Group
        && CommitOffset == other.CommitOffset
        && Principal == other.Principal
        && Keytab == other.Keytab
        && DescriptorEquality.DictionaryEquals(Config, other.Config);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Topic, Partition, Group, BootstrapServers.Count, Config.Count);
}

/// <summary>file: a local file.</summary>
public sealed record FileTransportDescriptor : TransportDescriptor
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

/// <summary>ODBC: SELECT on input, INSERT on output.</summary>
public sealed record OdbcTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Odbc;
    /// <summary>Gets the connection string (may hold a password; masked when displayed).</summary>
    public required string ConnectionString { get; init; }
    /// <summary>Gets the SELECT query (input only).</summary>
    public string? SelectQuery { get; init; }
    /// <summary>Gets the table to insert into (output only).</summary>
    public string? InsertIntoTable { get; init; }
    /// <summary>Gets the columns written, or <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? OutputFields { get; init; }
    /// <summary>Gets the timeout in milliseconds, or <see langword="null"/>.</summary>
    public int? Timeout { get; init; }
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => true;
    /// <inheritdoc />
    public override bool IsSeekable => false;
    /// <inheritdoc />
    public override bool DefinesRecordFormat => true;
    /// <summary>Gets a value indicating whether the transport can be an input: it needs a <see cref="SelectQuery"/>.</summary>
    public override bool CanRead => SelectQuery is not null;
    /// <summary>Gets a value indicating whether the transport can be an output: it needs an <see cref="InsertIntoTable"/>.</summary>
    public override bool CanWrite => InsertIntoTable is not null;

    /// <summary>Compares every field; <see cref="OutputFields"/> is compared by content.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same transport.</returns>
    public bool Equals(OdbcTransportDescriptor? other) =>
        other is not null
        && base.Equals(other)
        && ConnectionString == other.ConnectionString
        && SelectQuery == other.SelectQuery
        && InsertIntoTable == other.InsertIntoTable
        && Timeout == other.Timeout
        && DescriptorEquality.ListEquals(OutputFields, other.OutputFields);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ConnectionString, SelectQuery, InsertIntoTable, Timeout);
    /// <summary>Prints the members for <c>ToString()</c> with the password of <see cref="ConnectionString"/> masked (<see cref="Diagnostics.SafeText.MaskSecrets"/>).</summary>
    /// <param name="builder">Receives the members.</param>
    /// <returns><see langword="true"/>.</returns>
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append("Type = ").Append(Type)
            .Append(", ConnectionString = ").Append(Diagnostics.SafeText.MaskSecrets(ConnectionString))
            .Append(", SelectQuery = ").Append(SelectQuery)
            .Append(", InsertIntoTable = ").Append(InsertIntoTable)
            .Append(", Timeout = ").Append(Timeout);
        return true;
    }
}

/// <summary>HDFS: a file in a Hadoop file system (FastScore v1.9), read or written through the name node.</summary>
public sealed record HdfsTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Hdfs;
    /// <summary>Gets the name node, <c>host[:port]</c> (the port defaults to 9000).</summary>
    public required string NameNode { get; init; }
    /// <summary>Gets the absolute path of the file in HDFS.</summary>
    public required string Path { get; init; }
    /// <summary>Gets the Kerberos authentication settings, or <see langword="null"/> for none.</summary>
    public HdfsKerberosAuthentication? Authentication { get; init; }
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;
    /// <inheritdoc />
    public override bool IsSeekable => true;
}

/// <summary>The <c>Authentication</c> object of an HDFS transport: <c>{"Type": "Kerberos", ...}</c>.</summary>
public sealed record HdfsKerberosAuthentication
{
    /// <summary>The default <see cref="Timeout"/> in milliseconds.</summary>
    public const int DefaultTimeout = 3000;
    /// <summary>Gets the Kerberos realm.</summary>
    public required string Realm { get; init; }
    /// <summary>Gets the key distribution center, <c>host[:port]</c> (the port defaults to 88). JSON name: <c>KDCHost</c>.</summary>
    public required string KdcHost { get; init; }
    /// <summary>Gets the principal.</summary>
    public required string Principal { get; init; }
    /// <summary>Gets the password (may be a <c>secret://</c> reference; masked when displayed).</summary>
    public required string Password { get; init; }
    /// <summary>Gets the timeout in milliseconds, or <see langword="null"/> to wait without limit.</summary>
    /// <value>The default value is 3000.</value>
    public int? Timeout { get; init; } = DefaultTimeout;
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Realm = ").Append(Realm)
            .Append(", KdcHost = ").Append(KdcHost)
            .Append(", Principal = ").Append(Principal)
            .Append(", Password = ").Append(Password.StartsWith(SecretResolver.Scheme, StringComparison.Ordinal) ? Password : Diagnostics.SafeText.Mask)
            .Append(", Timeout = ").Append(Timeout);
        return true;
    }
}

/// <summary>TCP: connect to <see cref="Host"/>, or listen when it is <c>0.0.0.0</c>.</summary>
public sealed record TcpTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Tcp;
    /// <summary>Gets the host.</summary>
    public required string Host { get; init; }
    /// <summary>Gets the port.</summary>
    public required int Port { get; init; }
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;
    /// <inheritdoc />
    public override bool IsSeekable => false;
}

/// <summary>UDP: each datagram is one record (input only).</summary>
public sealed record UdpTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Udp;
    /// <summary>Gets the address to bind to (<c>BindTo</c>; <c>Bind</c> and <c>Host</c> are accepted on input).</summary>
    /// <value>The default value is <c>"0.0.0.0"</c>.</value>
    public string BindTo { get; init; } = "0.0.0.0";
    /// <summary>Gets the port.</summary>
    public required int Port { get; init; }
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => true;
    /// <inheritdoc />
    public override bool IsSeekable => false;
    /// <inheritdoc />
    public override bool CanWrite => false;
}

/// <summary>exec: records move through a child process's stdout (input) or stdin (output).</summary>
public sealed record ExecTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Exec;
    /// <summary>Gets the executable.</summary>
    public required string Run { get; init; }
    /// <summary>Gets the arguments.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];
    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;
    /// <inheritdoc />
    public override bool IsSeekable => false;

    /// <summary>Compares every field; <see cref="Args"/> is compared by content.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same transport.</returns>
    public bool Equals(ExecTransportDescriptor? other) =>
        other is not null && base.Equals(other) && Run == other.Run && DescriptorEquality.ListEquals(Args, other.Args);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Run, Args.Count);
}

/// <summary>inline: records written in the descriptor (input only). One chunk, or one record per element.</summary>
public sealed record InlineTransportDescriptor : TransportDescriptor
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
public sealed record DiscardTransportDescriptor : TransportDescriptor
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
public sealed record ConsoleTransportDescriptor : TransportDescriptor
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
