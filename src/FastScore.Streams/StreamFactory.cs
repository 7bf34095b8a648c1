using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FastScore.Streams;

/// <summary>
/// The registries the <see cref="StreamFactory"/> builds streams from: transports by type name, envelopes by name,
/// encodings by name, and the schema-checker factory. Packages add entries (e.g. <c>kafka</c>, <c>s3</c>); hosts may
/// replace any of them.
/// </summary>
public sealed class StreamFactoryOptions
{
    /// <summary>The key of <see cref="Encodings"/> used for the null (raw bytes) encoding.</summary>
    public const string NullEncodingKey = "null";

    /// <summary>Creates options holding the built-in transports, envelopes, encodings and checkers.</summary>
    public StreamFactoryOptions() => BuiltIns.Register(this);

    /// <summary>Gets the transport providers by type name (case-insensitive).</summary>
    public IDictionary<string, TransportProvider> Transports { get; } = new Dictionary<string, TransportProvider>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the envelope (framer) factories by envelope name (case-insensitive). One framer is created per stream.</summary>
    public IDictionary<string, Func<EnvelopeDescriptor, Framer>> Envelopes { get; } = new Dictionary<string, Func<EnvelopeDescriptor, Framer>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the encoding factories by encoding name (case-insensitive); <see cref="NullEncodingKey"/> is the raw-bytes encoding.</summary>
    public IDictionary<string, Func<EncodingDescriptor?, RecordEncoding>> Encodings { get; } = new Dictionary<string, Func<EncodingDescriptor?, RecordEncoding>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the factory of schema checkers: (resolved schema or null, encoding) → checker.</summary>
    public Func<Avro.Schema?, EncodingDescriptor?, SchemaChecker> SchemaCheckers { get; set; } = Schemas.SchemaCheckers.Create;

    /// <summary>Gets or sets the most records an input batch holds.</summary>
    /// <value>The default value is 1024.</value>
    public int MaxBatchRecords { get; set; } = 1024;

    /// <summary>Gets or sets how many batches may wait between two pipeline stages.</summary>
    /// <value>The default value is 4.</value>
    public int ChannelCapacity { get; set; } = 4;

    /// <summary>
    /// Gets or sets the schema library that <c>{"$ref": name}</c> schemas resolve against when a stream is opened without
    /// its own <see cref="StreamOpenOptions.SchemaLookup"/>; also the library descriptors are checked against
    /// (<see cref="CreateDescriptorOptions"/>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: a <c>$ref</c> schema is then an error when the stream opens.</value>
    public SchemaLibrary? SchemaLibrary { get; set; }

    /// <summary>
    /// Creates the descriptor-reading options that match these registries: <see cref="SchemaLibrary"/>, and a
    /// <see cref="CustomTransportType"/> for every registered transport whose type name is not a built-in descriptor
    /// type (its capabilities come from <see cref="TransportProvider.PreservesRecordBoundaries"/>,
    /// <see cref="TransportProvider.IsSeekable"/>, <see cref="TransportProvider.CanRead"/> and <see cref="TransportProvider.CanWrite"/>).
    /// </summary>
    /// <returns>New options; later changes to these registries do not reach them.</returns>
    public StreamDescriptorOptions CreateDescriptorOptions()
    {
        var options = new StreamDescriptorOptions { SchemaLibrary = SchemaLibrary };
        foreach ((string type, TransportProvider provider) in Transports)
        {
            if (!Descriptors.Json.DescriptorNames.IsBuiltInTransport(type))
            {
                options.AddTransportType(new CustomTransportType(type, provider.PreservesRecordBoundaries, provider.IsSeekable, provider.CanRead, provider.CanWrite));
            }
        }

        return options;
    }

}

/// <summary>Per-stream settings given to <see cref="StreamFactory"/> when a stream is created.</summary>
public sealed class StreamOpenOptions
{
    /// <summary>Gets or sets the stream's name (for reports and metrics).</summary>
    public string? Name { get; init; }

    /// <summary>Gets or sets the slot the stream is attached to, or -1.</summary>
    /// <value>The default value is -1.</value>
    public int Slot { get; init; } = -1;

    /// <summary>Gets or sets the schema used when the descriptor says <c>"$inherit"</c> (the model slot's schema, as Avro JSON); <see langword="null"/> leaves the stream untyped.</summary>
    public string? InheritedSchema { get; init; }

    /// <summary>Gets or sets how <c>{"$ref": name}</c> schemas are resolved to Avro JSON; <see langword="null"/> uses the factory's <see cref="StreamFactoryOptions.SchemaLibrary"/>, and makes a reference an error when there is none.</summary>
    public Func<string, string?>? SchemaLookup { get; init; }

    /// <summary>Gets or sets the callback that receives every rejected record (the engine counts and reports them).</summary>
    public Action<RejectedRecord>? OnRejected { get; init; }

    /// <summary>Gets or sets the stream the <c>console</c> transport reads (stdin by default).</summary>
    public Stream? ConsoleInput { get; init; }

    /// <summary>Gets or sets the stream the <c>console</c> transport writes (stdout by default).</summary>
    public Stream? ConsoleOutput { get; init; }

    /// <summary>Gets or sets the clock used for time limits such as an output's LingerTime (a fake one makes tests deterministic).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Builds running input and output streams from validated descriptors.</summary>
/// <remarks>Thread-safe; resolve it from DI (<c>services.AddFastScoreStreams()</c>) or create one with the built-ins.</remarks>
public sealed class StreamFactory
{
    private static int s_names;
    private readonly StreamFactoryOptions _options;
    private readonly IServiceProvider? _services;
    private readonly ILoggerFactory? _loggerFactory;

    /// <summary>Creates a factory with the built-in transports, envelopes, encodings and checkers.</summary>
    public StreamFactory() : this(new StreamFactoryOptions()) { }

    /// <summary>Creates a factory from options.</summary>
    /// <param name="options">The registries.</param>
    /// <param name="services">Services handed to transports, if any.</param>
    /// <param name="loggerFactory">Logging, if any.</param>
    public StreamFactory(StreamFactoryOptions options, IServiceProvider? services = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _services = services;
        _loggerFactory = loggerFactory;
    }

    /// <summary>Creates a factory from DI options.</summary>
    /// <param name="options">The registries.</param>
    /// <param name="services">The service provider.</param>
    /// <param name="loggerFactory">Logging, if any.</param>
    public StreamFactory(IOptions<StreamFactoryOptions> options, IServiceProvider services, ILoggerFactory? loggerFactory = null)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), services, loggerFactory) { }

    /// <summary>Gets the registries in use.</summary>
    public StreamFactoryOptions Options => _options;

    /// <summary>Builds an input stream. Nothing is opened until the first read.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="options">Name, slot, inherited schema and reject callback.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="DescriptorException">The descriptor names an unregistered transport, envelope or encoding, or its schema cannot be resolved.</exception>
    public InputStream CreateInput(StreamDescriptor descriptor, StreamOpenOptions? options = null) => CreateInput(descriptor, options, defaultName: null);

    internal InputStream CreateInput(StreamDescriptor descriptor, StreamOpenOptions? options, string? defaultName)
    {
        Parts parts = Prepare(descriptor, ref options, defaultName, input: true);
        InputTransport transport = parts.Provider.CreateInput(descriptor, Context(parts.Name, options));
        Framer? framer = transport is ByteInputTransport ? GetFramer(descriptor) : null;
        return new InputStream(descriptor, parts.Name, options.Slot, transport, framer, parts.Encoding, parts.Checker, parts.Schema, options.OnRejected,
            _options.MaxBatchRecords, _options.ChannelCapacity);
    }

    /// <summary>Builds an output stream. Nothing is opened until the first write.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="options">Name, slot, inherited schema and reject callback.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="DescriptorException">The descriptor names an unregistered transport, envelope or encoding, or its schema cannot be resolved.</exception>
    public OutputStream CreateOutput(StreamDescriptor descriptor, StreamOpenOptions? options = null) => CreateOutput(descriptor, options, defaultName: null);

    internal OutputStream CreateOutput(StreamDescriptor descriptor, StreamOpenOptions? options, string? defaultName)
    {
        Parts parts = Prepare(descriptor, ref options, defaultName, input: false);
        OutputTransport transport = parts.Provider.CreateOutput(descriptor, Context(parts.Name, options));
        Framer? framer = transport is ByteOutputTransport ? GetFramer(descriptor) : null;
        return new OutputStream(descriptor, parts.Name, options.Slot, transport, framer, parts.Encoding, parts.Checker, parts.Schema, options.OnRejected,
            _options.MaxBatchRecords, _options.ChannelCapacity, options.TimeProvider);
    }

    /// <summary>What both directions resolve before creating their transport: direction check, name, provider, encoding, schema, checker.</summary>
    private Parts Prepare(StreamDescriptor descriptor, [System.Diagnostics.CodeAnalysis.NotNull] ref StreamOpenOptions? options, string? defaultName, bool input)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        options ??= new StreamOpenOptions();
        if (input ? !descriptor.Transport.CanRead : !descriptor.Transport.CanWrite)
        {
            throw new DescriptorException("Transport.Type", $"'{descriptor.Transport.Type}' cannot be used as an {(input ? "input" : "output")}.");
        }

        string name = options.Name ?? defaultName ?? NewName();
        TransportProvider provider = GetTransport(descriptor);
        RecordEncoding encoding = GetEncoding(descriptor.Encoding);
        Avro.Schema? schema = ResolveSchema(descriptor, options, _options.SchemaLibrary);
        return new Parts(name, provider, encoding, schema, CreateChecker(descriptor, options, schema, input));
    }

    /// <summary>
    /// The stream's checker. A stream with its own schema on a slot whose model declares another one is checked against
    /// both (FastScore: inputs against the stream's then the model's schema, outputs against the model's then the
    /// stream's), after making sure the two are compatible.
    /// </summary>
    private SchemaChecker CreateChecker(StreamDescriptor descriptor, StreamOpenOptions options, Avro.Schema? schema, bool input)
    {
        SchemaChecker own = _options.SchemaCheckers(schema, descriptor.Encoding);
        if (ModelSchema(descriptor, options, schema, input) is not { } model)
        {
            return own;
        }

        SchemaChecker models = _options.SchemaCheckers(model, descriptor.Encoding);
        return input ? new BothSchemasChecker(own, models) : new BothSchemasChecker(models, own);
    }

    /// <summary>
    /// The model slot's schema when the stream has a different schema of its own, after checking that they are compatible
    /// (Avro schema resolution, <see cref="SchemaCompatibility"/>: the model can read what an input stream's schema allows, an output stream's schema can read
    /// what the model writes); <see langword="null"/> when there is only one schema to check.
    /// </summary>
    /// <exception cref="DescriptorException">The schemas are not compatible.</exception>
    private static Avro.Schema? ModelSchema(StreamDescriptor descriptor, StreamOpenOptions options, Avro.Schema? schema, bool input)
    {
        if (schema is null || options.InheritedSchema is not { } json || descriptor.Schema.Kind is not (SchemaKind.Inline or SchemaKind.Reference))
        {
            return null;
        }

        Avro.Schema model;
        try
        {
            model = Avro.Schema.Parse(json);
        }
        catch (Avro.AvroException ex)
        {
            throw new DescriptorException("Schema", $"the model's schema for slot {options.Slot} is not a valid Avro schema: {ex.Message}");
        }

        if (model.Equals(schema))
        {
            return null;
        }

        string? reason = input ? SchemaCompatibility.Explain(model, schema) : SchemaCompatibility.Explain(schema, model);
        return reason is null
            ? model
            : throw new DescriptorException("Schema", input
                ? $"not compatible with the model's schema for slot {options.Slot}: the model reads {Describe(model)}, which cannot read records of this stream's {Describe(schema)} ({reason})."
                : $"not compatible with the model's schema for slot {options.Slot}: the model writes {Describe(model)}, which this stream's {Describe(schema)} cannot read ({reason}).");
    }

    private static string Describe(Avro.Schema schema)
    {
        string text = schema.ToString();
        return text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 119), "…");
    }

    private readonly record struct Parts(string Name, TransportProvider Provider, RecordEncoding Encoding, Avro.Schema? Schema, SchemaChecker Checker);

    /// <summary>
    /// Checks that a stream could be built from a descriptor, without creating or opening anything: the transport can
    /// serve the direction and is registered, the envelope and encoding are registered, and the schema resolves.
    /// </summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="input"><see langword="true"/> for an input stream, <see langword="false"/> for an output.</param>
    /// <param name="options">The inherited schema and the reference lookup.</param>
    /// <exception cref="DescriptorException">The stream cannot be built; the message says why.</exception>
    public void Validate(StreamDescriptor descriptor, bool input, StreamOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        options ??= new StreamOpenOptions();
        if (input ? !descriptor.Transport.CanRead : !descriptor.Transport.CanWrite)
        {
            throw new DescriptorException("Transport.Type", $"'{descriptor.Transport.Type}' cannot be used as an {(input ? "input" : "output")}.");
        }

        _ = GetTransport(descriptor);
        _ = GetEncoding(descriptor.Encoding);
        if (descriptor.Envelope is { } envelope && !_options.Envelopes.ContainsKey(envelope.Type))
        {
            throw new DescriptorException("Envelope", $"'{envelope.Type}' has no registered envelope; registered: {string.Join(", ", _options.Envelopes.Keys.Order(StringComparer.Ordinal))}.");
        }

        _ = CreateChecker(descriptor, options, ResolveSchema(descriptor, options, _options.SchemaLibrary), input);
    }

    /// <summary>Resolves a descriptor's schema: inline JSON, a named reference, the inherited slot schema, or none.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="options">The inherited schema and the reference lookup.</param>
    /// <returns>The Avro schema, or <see langword="null"/> when the stream is untyped.</returns>
    /// <exception cref="DescriptorException">The schema is invalid or the reference is unknown.</exception>
    public static Avro.Schema? ResolveSchema(StreamDescriptor descriptor, StreamOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(options);
        SchemaReference reference = descriptor.Schema;
        string? json = reference.Kind switch
        {
            SchemaKind.Inline => reference.Json,
            SchemaKind.Inherit => options.InheritedSchema,
            SchemaKind.Reference => options.SchemaLookup?.Invoke(reference.Name!)
                ?? throw new DescriptorException("Schema.$ref", $"no schema named '{reference.Name}' is known (give a schema library)."),
            _ => null,
        };
        if (json is null)
        {
            return null;
        }

        try
        {
            return Avro.Schema.Parse(json);
        }
        catch (Avro.AvroException ex)
        {
            throw new DescriptorException("Schema", $"not a valid Avro schema: {ex.Message}");
        }
    }

    private static Avro.Schema? ResolveSchema(StreamDescriptor descriptor, StreamOpenOptions options, SchemaLibrary? library) =>
        descriptor.Schema.Kind == SchemaKind.Reference && options.SchemaLookup is null && library is not null
            ? library.Resolve(descriptor.Schema)
            : ResolveSchema(descriptor, options);

    private TransportContext Context(string name, StreamOpenOptions options) =>
        new(name, options.Slot, _services, _loggerFactory) { ConsoleInput = options.ConsoleInput, ConsoleOutput = options.ConsoleOutput };

    private TransportProvider GetTransport(StreamDescriptor descriptor) =>
        _options.Transports.TryGetValue(descriptor.Transport.Type, out TransportProvider? provider)
            ? provider
            : throw new DescriptorException("Transport.Type",
                $"'{descriptor.Transport.Type}' has no registered transport; registered: {string.Join(", ", _options.Transports.Keys.Order(StringComparer.Ordinal))}." +
                (descriptor.Transport.Type is TransportTypes.Kafka or TransportTypes.S3 or TransportTypes.Rest
                    ? $" Add the FastScore.Streams.{(descriptor.Transport.Type == TransportTypes.Rest ? "Rest" : descriptor.Transport.Type == TransportTypes.S3 ? "S3" : "Kafka")} package and register it."
                    : ""));

    private RecordEncoding GetEncoding(EncodingDescriptor? encoding)
    {
        string key = encoding?.Type ?? StreamFactoryOptions.NullEncodingKey;
        return _options.Encodings.TryGetValue(key, out Func<EncodingDescriptor?, RecordEncoding>? factory)
            ? factory(encoding)
            : throw new DescriptorException("Encoding", $"'{key}' has no registered encoding; registered: {string.Join(", ", _options.Encodings.Keys.Order(StringComparer.Ordinal))}.");
    }

    private Framer GetFramer(StreamDescriptor descriptor)
    {
        EnvelopeDescriptor? envelope = descriptor.Envelope;
        if (envelope is null)
        {
            return BuiltIns.NoEnvelope();
        }

        return _options.Envelopes.TryGetValue(envelope.Type, out Func<EnvelopeDescriptor, Framer>? factory)
            ? factory(envelope)
            : throw new DescriptorException("Envelope", $"'{envelope.Type}' has no registered envelope; registered: {string.Join(", ", _options.Envelopes.Keys.Order(StringComparer.Ordinal))}.");
    }

    private static string NewName() => "stream-" + Interlocked.Increment(ref s_names).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
