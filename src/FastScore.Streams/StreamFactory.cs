using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FastScore.Streams;

/// <summary>
/// What the <see cref="StreamFactory"/> builds streams from: the <see cref="Components"/> registry (transports,
/// envelopes, encodings, schema checkers), the schema library and the pipeline sizes. Packages add their providers
/// (e.g. <c>AddKafka()</c>); hosts may replace any of them.
/// </summary>
public sealed class StreamFactoryOptions
{
    /// <summary>Gets the registry of components, holding the core's by default. Descriptors read with <see cref="CreateDescriptorOptions"/> may name exactly these.</summary>
    public ComponentRegistry Components { get; } = new();

    /// <summary>Gets or sets the most records an input batch holds (and an output batch, which also stops at 256 KiB).</summary>
    /// <value>The default value is 4096. A byte stream's input batch also ends where the bytes read so far end (a file is
    /// read 64 KiB at a time), so small records come about one batch per read and none waits for a batch to fill.</value>
    public int MaxBatchRecords { get; set; } = 4096;

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

    /// <summary>Creates the descriptor-reading options that match these options: the same <see cref="Components"/> registry (not a copy) and <see cref="SchemaLibrary"/>.</summary>
    /// <returns>New options.</returns>
    public StreamDescriptorOptions CreateDescriptorOptions() => new() { SchemaLibrary = SchemaLibrary, Components = Components };

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
    internal Stream? ConsoleInput { get; init; }

    /// <summary>Gets or sets the stream the <c>console</c> transport writes (stdout by default).</summary>
    internal Stream? ConsoleOutput { get; init; }

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
        Framer? framer = transport is ByteInputTransport ? GetFramer(descriptor, parts.Context) : null;
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
        Framer? framer = transport is ByteOutputTransport ? GetFramer(descriptor, parts.Context) : null;
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
        Avro.Schema? schema = ResolveSchema(descriptor, options, _options.SchemaLibrary);
        var context = new ComponentContext(descriptor, schema, input) { ModelSchema = ModelSchema(descriptor, options, schema, input) };
        RecordEncoding encoding = GetEncoding(descriptor.Encoding, context);
        return new Parts(name, provider, encoding, schema, CreateChecker(descriptor, schema, context), context);
    }

    /// <summary>
    /// The stream's checker. A stream with its own schema on a slot whose model declares another one is checked against
    /// both (FastScore: inputs against the stream's then the model's schema, outputs against the model's then the
    /// stream's), after making sure the two are compatible.
    /// </summary>
    private SchemaChecker CreateChecker(StreamDescriptor descriptor, Avro.Schema? schema, ComponentContext context)
    {
        SchemaChecker own = Checker(schema, descriptor.Encoding, context);
        if (context.ModelSchema is not { } model
            || (_options.Components.TryGetEncoding(descriptor.Encoding?.Type ?? EncodingTypes.Null, out EncodingProvider? encoding) && !encoding.ChecksModelSchema))
        {
            return own;
        }

        SchemaChecker models = Checker(model, descriptor.Encoding, context: null);
        return context.IsInput ? new BothSchemasChecker(own, models) : new BothSchemasChecker(models, own);
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

    private readonly record struct Parts(string Name, TransportProvider Provider, RecordEncoding Encoding, Avro.Schema? Schema, SchemaChecker Checker, ComponentContext Context);

    /// <summary>The checker of the encoding's provider; an untyped stream without one accepts every record.</summary>
    private SchemaChecker Checker(Avro.Schema? schema, EncodingDescriptor? encoding, ComponentContext? context)
    {
        string type = encoding?.Type ?? EncodingTypes.Null;
        if (_options.Components.TryGetSchemaChecker(type, out SchemaCheckerProvider? provider))
        {
            return Call(() => context is null ? provider.Create(schema, encoding) : provider.Create(schema, encoding, context), "Schema", $"the schema checker of the {type} encoding");
        }

        return schema is null
            ? AcceptAllChecker.Instance
            : throw new DescriptorException("Schema", $"no schema checker is registered for the {(encoding is null ? "null encoding (raw bytes)" : $"{type} encoding")}, so a typed stream cannot be checked; registered for: {string.Join(", ", _options.Components.SchemaCheckerNames)}.");
    }

    /// <summary>Calls a provider: what it throws becomes a <see cref="DescriptorException"/> at the part's path.</summary>
    private static T Call<T>(Func<T> create, string path, string what)
    {
        try
        {
            return create();
        }
        catch (DescriptorException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new DescriptorException(path, $"{what} cannot be created: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// Checks that a stream could be built from a descriptor, without opening anything: the transport can serve the
    /// direction and is registered, the schema resolves, and the envelope, encoding and checker can be created by their
    /// providers (a provider that cannot run a descriptor says why).
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

        GetTransport(descriptor).CheckDirection(descriptor, input);
        Avro.Schema? schema = ResolveSchema(descriptor, options, _options.SchemaLibrary);
        if (schema is null && descriptor.Schema.Kind == SchemaKind.Inherit
            && _options.Components.TryGetEncoding(descriptor.Encoding?.Type ?? EncodingTypes.Null, out EncodingProvider? required) && required.SchemaUse == SchemaUse.Required)
        {
            schema = Avro.Schema.Parse("\"null\""); // the model's schema is not known here: check the rest with a stand-in
        }

        var context = new ComponentContext(descriptor, schema, input) { ModelSchema = ModelSchema(descriptor, options, schema, input) };
        _ = GetEncoding(descriptor.Encoding, context);
        _ = GetFramer(descriptor, context);
        _ = CreateChecker(descriptor, schema, context);
    }

    /// <summary>Resolves a descriptor's schema: inline JSON, a named reference, the inherited slot schema, or none.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="options">The inherited schema and the reference lookup.</param>
    /// <returns>The Avro schema, or <see langword="null"/> when the stream is untyped.</returns>
    /// <exception cref="DescriptorException">The schema is invalid or the reference is unknown.</exception>
    internal static Avro.Schema? ResolveSchema(StreamDescriptor descriptor, StreamOpenOptions options)
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
        _options.Components.TryGetTransport(descriptor.Transport.Type, out TransportProvider? provider)
            ? provider
            : throw new DescriptorException("Transport.Type",
                $"'{descriptor.Transport.Type}' has no registered transport; registered: {string.Join(", ", _options.Components.TransportNames)}. Register the package that provides it (see docs/architecture.md).");

    private RecordEncoding GetEncoding(EncodingDescriptor? encoding, ComponentContext context)
    {
        string key = encoding?.Type ?? EncodingTypes.Null;
        return _options.Components.TryGetEncoding(key, out EncodingProvider? provider)
            ? Call(() => provider.CreateEncoding(encoding, context), "Encoding", $"the {key} encoding")
            : throw new DescriptorException("Encoding", $"'{key}' has no registered encoding; registered: {string.Join(", ", _options.Components.EncodingNames)}.");
    }

    private Framer GetFramer(StreamDescriptor descriptor, ComponentContext context)
    {
        EnvelopeDescriptor? envelope = descriptor.Envelope;
        if (envelope is null)
        {
            string key = descriptor.Encoding?.Type ?? EncodingTypes.Null;
            return _options.Components.TryGetEncoding(key, out EncodingProvider? encoding)
                ? Call(() => encoding.CreateFramer(descriptor.Encoding, context), "Envelope", $"the framer of the {key} encoding") ?? new NoneFramer()
                : new NoneFramer();
        }

        return _options.Components.TryGetEnvelope(envelope.Type, out EnvelopeProvider? provider)
            ? Call(() => provider.CreateFramer(envelope, context), "Envelope", $"the {envelope.Type} envelope")
            : throw new DescriptorException("Envelope", $"'{envelope.Type}' has no registered envelope; registered: {string.Join(", ", _options.Components.EnvelopeNames)}.");
    }

    private static string NewName() => "stream-" + Interlocked.Increment(ref s_names).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
