using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Rest.Transports;

/// <summary>
/// The <c>rest</c> transport: records arrive by HTTP requests to the engine's REST API and leave by responses.
/// Inputs and outputs register with a <see cref="RestTransportHub"/> by slot, where the endpoints find them.
/// </summary>
/// <remarks>
/// Simple mode: an input is a message input (one record per request; round trips carry a reply) and an output a
/// queue of records (one per <c>GET /1/job/output</c>). Chunked mode: an input is a byte stream (request bodies,
/// framed by the envelope) and an output a byte stream (response bodies hold whatever framed bytes are ready).
/// </remarks>
public sealed class RestTransportProvider : TransportProvider
{
    /// <summary>Creates the provider.</summary>
    /// <param name="hub">Where the streams register; the endpoints read the same hub.</param>
    /// <param name="options">Queue sizes; <see langword="null"/> for the defaults.</param>
    public RestTransportProvider(RestTransportHub hub, RestTransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        Hub = hub;
        Options = options ?? new RestTransportOptions();
    }

    /// <summary>Gets the hub the streams register with.</summary>
    public RestTransportHub Hub { get; }

    /// <summary>Gets the queue settings.</summary>
    public RestTransportOptions Options { get; }

    /// <inheritdoc />
    public override string Type => TransportTypes.Rest;

    /// <inheritdoc />
    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(context);
        var rest = (RestTransportDescriptor)descriptor.Transport;
        InputTransport input = rest.Mode == RestMode.Chunked
            ? new RestChunkedInput(Hub, context.Slot, Options)
            : new RestMessageInput(Hub, context.Slot, Options);
        Hub.Register(context.Slot, input);
        return input;
    }

    /// <inheritdoc />
    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(context);
        var rest = (RestTransportDescriptor)descriptor.Transport;
        OutputTransport output = rest.Mode == RestMode.Chunked
            ? new RestChunkedOutput(Hub, context.Slot, descriptor, Options)
            : new RestMessageOutput(Hub, context.Slot, descriptor, Options);
        Hub.Register(context.Slot, output);
        return output;
    }
}

/// <summary>Queue sizes of the REST transport.</summary>
public sealed class RestTransportOptions
{
    /// <summary>Gets or sets how many simple-mode input records may wait for the engine before requests wait too (backpressure).</summary>
    /// <value>The default value is 1024.</value>
    public int InputQueueCapacity { get; set; } = 1024;

    /// <summary>Gets or sets how many simple-mode output records may wait for <c>GET /1/job/output</c> before the engine waits (backpressure).</summary>
    /// <value>The default value is 10000.</value>
    public int OutputQueueCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets how many bytes chunked-mode streams buffer before writers wait (backpressure).</summary>
    /// <value>The default value is 1 MiB.</value>
    public long ChunkedBufferSize { get; set; } = 1024 * 1024;
}
