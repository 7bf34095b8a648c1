using FastScore.Streams.Descriptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastScore.Streams.Transports;

/// <summary>
/// Creates the transports of one type (<c>file</c>, <c>kafka</c>, <c>s3</c>...). Register one per type name with
/// <see cref="FastScoreStreamsBuilderExtensions.AddTransport"/>; the <see cref="StreamFactory"/> looks it up by the
/// descriptor's <see cref="TransportDescriptor.Type"/>.
/// </summary>
public abstract class TransportProvider
{
    /// <summary>Gets the lower-case transport type name this provider serves.</summary>
    public abstract string Type { get; }

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
    public Stream? ConsoleInput { get; init; }

    /// <summary>Gets or sets the console output used by the <c>console</c> transport (stdout by default).</summary>
    public Stream? ConsoleOutput { get; init; }
}
