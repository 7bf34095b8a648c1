using FastScore.Streams.Descriptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastScore.Streams.Transports;

/// <summary>
/// The transport of one type name (<c>file</c>, <c>kafka</c>, <c>s3</c>...): how its part of a descriptor is read
/// (<see cref="Fields"/>, <see cref="Read"/>), its stream literal (<see cref="LiteralTags"/>, <see cref="ExpandLiteral"/>),
/// what it declares to the rules between components (the capabilities), and the running transports it creates.
/// Register one per type name with <see cref="ComponentRegistry.Add(TransportProvider)"/> or
/// <see cref="FastScoreStreamsBuilderExtensions.AddTransport"/>; the descriptor reader, the literal parser and the
/// <see cref="StreamFactory"/> all look it up there. Its descriptor type (a subclass of <see cref="TransportDescriptor"/>)
/// checks and writes its own fields.
/// </summary>
/// <remarks>
/// A provider that does not override <see cref="Fields"/> accepts any fields and keeps them as JSON in a
/// <see cref="CustomTransportDescriptor"/> with the capabilities the provider declares.
/// </remarks>
public abstract class TransportProvider
{
    /// <summary>Gets the lower-case transport type name this provider serves.</summary>
    public abstract string Type { get; }

    /// <summary>Gets other spellings of the type name accepted on input.</summary>
    /// <value>The default value is an empty list.</value>
    public virtual IReadOnlyList<ComponentAlias> Aliases => [];

    /// <summary>Gets the fields of the transport object besides <c>Type</c> (unknown fields are errors, with the nearest known name), or <see langword="null"/> to accept any field.</summary>
    /// <value>The default value is <see langword="null"/>: the fields are kept as JSON in a <see cref="CustomTransportDescriptor"/>.</value>
    public virtual IReadOnlyList<string>? Fields => null;

    /// <summary>Gets other names accepted for fields (other name → field), e.g. <c>Bind</c> → <c>BindTo</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public virtual IReadOnlyDictionary<string, string>? FieldAliases => null;

    /// <summary>Gets the stream literal tags this provider expands (<c>kafka:broker:9092/topic.json</c>).</summary>
    /// <value>The default value is an empty list: the transport has no literal.</value>
    public virtual IReadOnlyList<LiteralTag> LiteralTags => [];

    /// <summary>
    /// Reads the transport's fields into its descriptor. Report wrong values through <see cref="DescriptorFields.Errors"/>
    /// (the getters of <see cref="DescriptorFields"/> do) and go on; rules about values (ranges, formats, pairs of fields)
    /// belong to the descriptor's <see cref="TransportDescriptor.Validate"/>, which builder-made descriptors go through too.
    /// </summary>
    /// <param name="fields">The fields of the transport object (none when it was given as a bare name such as <c>"REST"</c>).</param>
    /// <returns>The descriptor.</returns>
    protected internal virtual TransportDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return fields.ToCustomDescriptor(PreservesRecordBoundaries, IsSeekable, CanRead, CanWrite);
    }

    /// <summary>Expands a literal with one of <see cref="LiteralTags"/>: writes the <c>Transport</c> value and says which part names the data.</summary>
    /// <param name="context">The literal, the writer of the transport, and where the encoding is guessed from.</param>
    /// <exception cref="DescriptorException">The literal is malformed: throw <see cref="LiteralContext.Fail"/>.</exception>
    protected internal virtual void ExpandLiteral(LiteralContext context) =>
        throw new NotSupportedException($"Transport '{Type}' has no stream literal.");

    /// <summary>
    /// Gets a value indicating whether each message of this transport is exactly one record (so the descriptor's
    /// envelope must be null). Used to read descriptors naming a type that is not one of the built-in descriptor
    /// types (see <see cref="StreamFactoryOptions.CreateDescriptorOptions"/>); ignored for built-in type names.
    /// </summary>
    /// <value>The default value is <see langword="false"/> (a byte stream that an envelope cuts into records).</value>
    public virtual bool PreservesRecordBoundaries => false;

    /// <summary>
    /// Gets a value indicating whether the transport can rewind or start at an offset (<c>Loop</c>, <c>SkipTo</c>,
    /// <c>SkipToRecord</c>). Used to read descriptors naming a type that is not a built-in descriptor type.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public virtual bool IsSeekable => false;

    /// <summary>Gets a value indicating whether the transport can be an input (override <see cref="CreateInput"/> too). Used to read descriptors naming a type that is not a built-in descriptor type.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public virtual bool CanRead => true;

    /// <summary>Gets a value indicating whether the transport can be an output (override <see cref="CreateOutput"/> too). Used to read descriptors naming a type that is not a built-in descriptor type.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public virtual bool CanWrite => true;

    /// <summary>
    /// Checks, without opening anything, the fields one direction needs that the descriptor alone cannot (a UDP output
    /// needs the host it sends to; a UDP input does not). Called by <see cref="StreamFactory.Validate"/>, so by
    /// <c>fastscore stream verify</c> given a slot, and before the transport is created.
    /// </summary>
    /// <param name="descriptor">The validated descriptor (its transport is of this provider's type).</param>
    /// <param name="input"><see langword="true"/> for an input stream, <see langword="false"/> for an output.</param>
    /// <exception cref="Descriptors.DescriptorException">The descriptor cannot serve that direction; the error names the field.</exception>
    internal virtual void CheckDirection(StreamDescriptor descriptor, bool input)
    {
    }

    /// <summary>Creates an input transport for a descriptor. Nothing is opened until the stream starts.</summary>
    /// <param name="descriptor">The validated descriptor (its transport is of this provider's type).</param>
    /// <param name="context">The stream's name, slot and services.</param>
    /// <returns>The transport.</returns>
    /// <exception cref="NotSupportedException">The transport cannot be an input.</exception>
    public virtual InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) =>
        throw new NotSupportedException($"Transport '{Type}' cannot be used as an input.");

    /// <summary>Creates an output transport for a descriptor. Nothing is opened until the stream starts.</summary>
    /// <param name="descriptor">The validated descriptor (its transport is of this provider's type).</param>
    /// <param name="context">The stream's name, slot and services.</param>
    /// <returns>The transport.</returns>
    /// <exception cref="NotSupportedException">The transport cannot be an output.</exception>
    public virtual OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) =>
        throw new NotSupportedException($"Transport '{Type}' cannot be used as an output.");
}

/// <summary>What a transport knows about the stream it serves.</summary>
public sealed class TransportContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="streamName">The stream's display name.</param>
    /// <param name="slot">The slot, or -1 when the stream is not attached to an engine.</param>
    /// <param name="services">Services (for clients such as <c>IAmazonS3</c>), or <see langword="null"/>.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for none.</param>
    public TransportContext(string streamName, int slot = -1, IServiceProvider? services = null, ILoggerFactory? loggerFactory = null)
    {
        StreamName = streamName;
        Slot = slot;
        Services = services;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>Gets the stream's display name.</summary>
    public string StreamName { get; }

    /// <summary>Gets the slot, or -1.</summary>
    public int Slot { get; }

    /// <summary>Gets the services, if any.</summary>
    public IServiceProvider? Services { get; }

    /// <summary>Gets the logger factory.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Gets or sets the console input used by the <c>console</c> transport (stdin by default).</summary>
    internal Stream? ConsoleInput { get; init; }

    /// <summary>Gets or sets the console output used by the <c>console</c> transport (stdout by default).</summary>
    internal Stream? ConsoleOutput { get; init; }
}
