using System.Text.Json;
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
    public override string Type => RestTransportDescriptor.TypeName;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Fields => ["Mode"];

    /// <inheritdoc />
    public override IReadOnlyList<LiteralTag> LiteralTags => [new("rest", "rest:"), new("rest-chunked", "rest-chunked:")];

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => true;

    /// <summary>Reads <c>Mode</c> (<c>simple</c>, the default, or <c>chunked</c>, any case); <c>"REST"</c> alone is simple mode.</summary>
    /// <param name="fields">The fields of the transport object.</param>
    /// <returns>The descriptor.</returns>
    protected override TransportDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var mode = RestMode.Simple;
        if (fields.TryGet("Mode", out DescriptorValue value))
        {
            string text = value.Kind == JsonValueKind.String ? value.GetString().Trim() : string.Empty;
            if (text.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                mode = RestMode.Chunked;
            }
            else if (!text.Equals("simple", StringComparison.OrdinalIgnoreCase))
            {
                string hint = value.Kind == JsonValueKind.String ? DescriptorErrors.DidYouMean(value.GetString(), ["simple", "chunked"]) : string.Empty;
                fields.Errors.Add("Mode", $"expected \"simple\" or \"chunked\"; found {value.Describe()}.{hint}");
            }
        }

        return new RestTransportDescriptor { Mode = mode };
    }

    /// <summary>Expands <c>rest:</c> (simple mode) and <c>rest-chunked:</c>; both take nothing after the colon and give json.</summary>
    /// <param name="context">The literal.</param>
    protected override void ExpandLiteral(LiteralContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Details.Length != 0)
        {
            throw context.Fail("takes nothing after the colon");
        }

        if (context.Tag == "rest-chunked")
        {
            context.Transport.WriteStartObject();
            context.Transport.WriteString(nameof(RestTransportDescriptor.Type), "REST");
            context.Transport.WriteString("Mode", "chunked");
            context.Transport.WriteEndObject();
        }
        else
        {
            context.Transport.WriteStringValue("REST");
        }
    }

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

/// <summary>Queue sizes of the REST transport. Every queue is bounded; see docs/rest.md, "Fairness and bounded queues".</summary>
public sealed class RestTransportOptions
{
    /// <summary>
    /// Gets or sets how many fire-and-forget records (<c>POST /1/job/input</c>) a simple-mode input slot queues for the
    /// engine. When the queue is full a request is refused at once with 429 and <c>Retry-After</c>; nothing waits.
    /// </summary>
    /// <value>The default value is 1024.</value>
    public int InputQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// Gets or sets how many round-trip records a simple-mode input slot queues for the engine. Round-trip records have
    /// their own queue, which the engine reads first: they never wait behind fire-and-forget records. When it is full a
    /// round trip is refused at once with 429 and <c>Retry-After</c>.
    /// </summary>
    /// <value>The default value is 1024.</value>
    public int RoundTripQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// Gets or sets how many records a simple-mode output slot holds for <c>GET /1/job/output</c>. While that many are
    /// unread, fire-and-forget inputs are refused with 429 (their outputs would have nowhere to go). The queue takes up
    /// to twice this many from the engine (outputs of records admitted before it filled) before the engine waits.
    /// </summary>
    /// <value>The default value is 10000.</value>
    public int OutputQueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how many bytes chunked-mode streams buffer. An input whose buffer is full refuses further requests
    /// with 429; an output holding this many unread bytes is full as a simple-mode output is (the engine waits at twice this).
    /// </summary>
    /// <value>The default value is 1 MiB.</value>
    public long ChunkedBufferSize { get; set; } = 1024 * 1024;
}
