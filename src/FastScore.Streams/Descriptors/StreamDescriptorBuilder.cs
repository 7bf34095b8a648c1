using System.Text;
using FastScore.Streams.Descriptors.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// Builds a <see cref="StreamDescriptor"/> in code, with the same defaults and the same validation as the JSON reader.
/// </summary>
/// <example>
/// <code>
/// StreamDescriptor d = StreamDescriptor.CreateBuilder()
///     .UseFile("/data/in.jsons")
///     .UseEncoding("json")
///     .UseSchema("""{"type": "int"}""")
///     .Build();
/// </code>
/// </example>
/// <remarks>
/// Methods record values; problems (an unknown encoding name, a missing required field, a rule of §4) are all reported by
/// <see cref="Build"/> in one <see cref="DescriptorException"/>. A builder builds once: any call after
/// <see cref="Build"/> throws <see cref="InvalidOperationException"/>. Not thread-safe.
/// </remarks>
public sealed partial class StreamDescriptorBuilder
{
    private readonly StreamDescriptorOptions _options;
    private readonly DescriptorDraft _draft = new();
    private readonly ErrorSink _sink = new();
    private bool _built;

    /// <summary>Creates a builder.</summary>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    public StreamDescriptorBuilder(StreamDescriptorOptions? options = null) => _options = options ?? StreamDescriptorOptions.Default;

    /// <summary>Uses a transport descriptor.</summary>
    /// <param name="transport">The transport.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseTransport(TransportDescriptor transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        EnsureNotBuilt();
        _draft.Transport.Set(transport);
        return this;
    }

    /// <summary>Uses a local file.</summary>
    /// <param name="path">The absolute path.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseFile(string path) => UseTransport(new FileTransportDescriptor { Path = path ?? string.Empty });

    /// <summary>Uses records written in the descriptor, one record per string.</summary>
    /// <param name="records">The records (UTF-8 text).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseInline(params string[] records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return UseTransport(new InlineTransportDescriptor { Items = [.. records.Select(r => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(r ?? string.Empty))] });
    }

    /// <summary>Uses binary records written in the descriptor (FastScore's <c>DataBinary</c>), one record per item.</summary>
    /// <param name="records">The records.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseInline(IEnumerable<ReadOnlyMemory<byte>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return UseTransport(new InlineTransportDescriptor { Items = [.. records], IsBinary = true });
    }

    /// <summary>Uses one chunk of text written in the descriptor, cut into records by the envelope.</summary>
    /// <param name="data">The chunk, e.g. <c>"1\n2\n3"</c>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseInlineChunk(string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return UseTransport(new InlineTransportDescriptor { Items = [Encoding.UTF8.GetBytes(data)], IsChunk = true });
    }

    /// <summary>Uses an output that drops every record.</summary>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseDiscard() => UseTransport(new DiscardTransportDescriptor());

    /// <summary>Uses the console: stdin as an input, stdout as an output.</summary>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseConsole() => UseTransport(new ConsoleTransportDescriptor());

    /// <summary>Uses an envelope by name: <c>delimited</c>, <c>fixed</c> (needs a Size: use the object overload), <c>ocf-block</c> or <c>delimited-csv</c>, with its defaults.</summary>
    /// <param name="type">The envelope name (case-insensitive).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseEnvelope(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        EnsureNotBuilt();
        if (!_options.Components.TryFindEnvelope(type, out Envelopes.EnvelopeProvider? provider, out _))
        {
            _sink.Error("Envelope", DescriptorNames.UnknownEnvelopeMessage(type, _options));
            _draft.Envelope.Fail();
            return this;
        }

        // the envelope's defaults, as for a bare name in JSON (a required field is reported as missing)
        var errors = new DescriptorErrors(_sink, "Envelope");
        EnvelopeDescriptor envelope = ComponentCalls.Read(provider, new DescriptorFields(new ObjectFields("Envelope"), errors, provider.Type, null), _sink, "Envelope");
        if (_sink.HasErrorAt("Envelope"))
        {
            _draft.Envelope.Fail();
        }
        else
        {
            _draft.Envelope.Set(envelope);
        }

        return this;
    }

    /// <summary>Uses an envelope, or <see langword="null"/> for no framing.</summary>
    /// <param name="envelope">The envelope, or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseEnvelope(EnvelopeDescriptor? envelope)
    {
        EnsureNotBuilt();
        _draft.Envelope.Set(envelope);
        return this;
    }

    /// <summary>Uses no envelope (no framing), as <c>"Envelope": null</c>.</summary>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder NoEnvelope() => UseEnvelope((EnvelopeDescriptor?)null);

    /// <summary>Uses an encoding by name: <c>json</c>, <c>utf-8</c> (or <c>utf8</c>), <c>csv</c>, <c>msgpack</c>, <c>avro-binary</c>, <c>soap-rpc</c>.</summary>
    /// <param name="type">The encoding name (case-insensitive).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseEncoding(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        EnsureNotBuilt();
        if (!_options.Components.TryFindEncoding(type, out Encodings.EncodingProvider? provider, out _))
        {
            _sink.Error("Encoding", DescriptorNames.UnknownEncodingMessage(type, _options));
            _draft.Encoding.Fail();
            return this;
        }

        _draft.Encoding.Set(ComponentCalls.Read(provider, new DescriptorFields(new ObjectFields("Encoding"), new DescriptorErrors(_sink, "Encoding"), provider.Type, null), _sink, "Encoding"));
        return this;
    }

    /// <summary>Uses an encoding, or <see langword="null"/> for raw bytes.</summary>
    /// <param name="encoding">The encoding, or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseEncoding(EncodingDescriptor? encoding)
    {
        EnsureNotBuilt();
        _draft.Encoding.Set(encoding);
        return this;
    }

    /// <summary>Uses FastScore's null encoding: records are raw bytes (<c>"Encoding": null</c>).</summary>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder NoEncoding() => UseEncoding((EncodingDescriptor?)null);

    /// <summary>Uses an inline Avro schema.</summary>
    /// <param name="avroSchemaJson">The schema in JSON form, e.g. <c>{"type": "int"}</c> or <c>"double"</c>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseSchema(string avroSchemaJson)
    {
        ArgumentNullException.ThrowIfNull(avroSchemaJson);
        EnsureNotBuilt();
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(avroSchemaJson, DescriptorJson.DocumentOptions);
            _draft.Schema.Set(SchemaReference.Inline(Node.FromJson(document.RootElement).ToJsonText()));
        }
        catch (System.Text.Json.JsonException ex)
        {
            string trimmed = avroSchemaJson.Trim();
            if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
            {
                _sink.Error("Schema", $"the schema text is not valid JSON: {JsonErrors.Clean(ex.Message)}");
                _draft.Schema.Fail();
            }
            else
            {
                // a bare type name such as double
                _draft.Schema.Set(SchemaReference.Inline(DescriptorJson.QuoteString(trimmed)));
            }
        }

        return this;
    }

    /// <summary>Uses a schema field as is.</summary>
    /// <param name="schema">The schema reference.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseSchema(SchemaReference schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        EnsureNotBuilt();
        _draft.Schema.Set(schema);
        return this;
    }

    /// <summary>Uses a named schema of the schema library: <c>{"$ref": name}</c>.</summary>
    /// <param name="name">The schema name.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseSchemaRef(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return UseSchema(SchemaReference.Ref(name));
    }

    /// <summary>Takes the schema of the model's slot (<c>"$inherit"</c>, the default).</summary>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder InheritSchema() => UseSchema(SchemaReference.Inherit);

    /// <summary>Turns schema checking off (<c>"Schema": null</c>).</summary>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder NoSchema() => UseSchema(SchemaReference.None);

    /// <summary>Uses a batching policy; <see langword="null"/> makes every record its own batch.</summary>
    /// <param name="batching">The policy, e.g. <see cref="BatchingDescriptor.Explicit"/>, or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseBatching(BatchingDescriptor? batching)
    {
        EnsureNotBuilt();
        _draft.Batching.Set(batching ?? BatchingDescriptor.None);
        return this;
    }

    /// <summary>Uses a batching policy by its limits.</summary>
    /// <param name="watermark">The most records per batch, or <see langword="null"/> for no limit.</param>
    /// <param name="nagleTime">The longest wait in milliseconds for more records, or <see langword="null"/> for no limit.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseBatching(int? watermark, int? nagleTime) => UseBatching(new BatchingDescriptor(watermark, nagleTime));

    /// <summary>Uses a batching policy by name: <c>normal</c> or <c>explicit</c>.</summary>
    /// <param name="name">The policy name (case-insensitive).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseBatching(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        EnsureNotBuilt();
        if (name.Trim().Equals("normal", StringComparison.OrdinalIgnoreCase))
        {
            _draft.Batching.Set(BatchingDescriptor.Normal);
        }
        else if (name.Trim().Equals("explicit", StringComparison.OrdinalIgnoreCase))
        {
            _draft.Batching.Set(BatchingDescriptor.Explicit);
        }
        else
        {
            _sink.Error("Batching", $"expected {Allowed.Batching}; found {Node.Quote(name)}.{NameSuggester.DidYouMean(name, ["normal", "explicit"])}");
            _draft.Batching.Fail();
        }

        return this;
    }

    /// <summary>Rewinds the stream at end of stream (needs a seekable transport).</summary>
    /// <param name="loop">Whether to loop.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder WithLoop(bool loop = true)
    {
        EnsureNotBuilt();
        _draft.Loop.Set(loop);
        return this;
    }

    /// <summary>Starts reading at a byte offset (seekable transports that do not preserve boundaries).</summary>
    /// <param name="offset">The byte offset, or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder SkipTo(long? offset)
    {
        EnsureNotBuilt();
        _draft.SkipTo.Set(offset);
        return this;
    }

    /// <summary>Starts reading at a record (seekable transports that preserve boundaries, e.g. Kafka).</summary>
    /// <param name="position">The position, or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder SkipToRecord(RecordPosition? position)
    {
        EnsureNotBuilt();
        _draft.SkipToRecord.Set(position);
        return this;
    }

    /// <summary>Starts reading at a record number.</summary>
    /// <param name="recordNumber">The record number.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder SkipToRecord(long recordNumber) => SkipToRecord(RecordPosition.At(recordNumber));

    /// <summary>Sets how long, in milliseconds, a closing output waits for pending records; <see langword="null"/> disables the wait.</summary>
    /// <param name="milliseconds">The wait, or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder WithLingerTime(int? milliseconds)
    {
        EnsureNotBuilt();
        _draft.LingerTime.Set(milliseconds);
        return this;
    }

    /// <summary>Sets the free-text description.</summary>
    /// <param name="description">The description, or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder WithDescription(string? description)
    {
        EnsureNotBuilt();
        _draft.Description.Set(description);
        return this;
    }

    /// <summary>Applies the defaults and every rule, and returns the descriptor. The builder cannot be used afterwards.</summary>
    /// <returns>The validated descriptor.</returns>
    /// <exception cref="DescriptorException">The descriptor is invalid (every error is listed).</exception>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptor Build()
    {
        EnsureNotBuilt();
        _built = true;
        return DescriptorFinisher.Complete(_draft, _options, _sink, origin: "builder");
    }

    private void EnsureNotBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This StreamDescriptorBuilder has already built its descriptor; create a new builder with StreamDescriptor.CreateBuilder().");
        }
    }
}
