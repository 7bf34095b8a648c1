using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Kafka;

/// <summary>
/// The <c>kafka</c> transport: reads a topic (one partition, or every partition under a consumer group) and writes
/// records to a topic, with at-least-once delivery end to end. Register it with
/// <c>services.AddFastScoreStreams().AddKafkaTransport()</c> or <c>new StreamFactoryOptions().AddKafka()</c>.
/// </summary>
/// <remarks>Stateless and thread-safe: one instance serves every Kafka stream of a host.</remarks>
public sealed class KafkaTransportProvider : TransportProvider
{
    private readonly KafkaTransportOptions _options;

    /// <summary>Creates the provider with default options.</summary>
    public KafkaTransportProvider() : this(new KafkaTransportOptions()) { }

    /// <summary>Creates the provider.</summary>
    /// <param name="options">Host-wide Kafka settings (configuration hooks, prefetch buffer).</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="KafkaTransportOptions.MaxBufferedMessages"/> is less than 1, or <see cref="KafkaTransportOptions.CloseTimeout"/> is negative.</exception>
    public KafkaTransportProvider(KafkaTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBufferedMessages, 1, "options.MaxBufferedMessages");
        if (options.CloseTimeout < TimeSpan.Zero && options.CloseTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException("options.CloseTimeout", options.CloseTimeout, "CloseTimeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        _options = options;
    }

    /// <inheritdoc />
    public override string Type => TransportTypes.Kafka;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The descriptor's transport is not a <see cref="KafkaTransportDescriptor"/>.</exception>
    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        Check(descriptor, context);
        return new KafkaInputTransport(descriptor, _options, context);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The descriptor's transport is not a <see cref="KafkaTransportDescriptor"/>.</exception>
    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context)
    {
        Check(descriptor, context);
        return new KafkaOutputTransport(descriptor, _options, context);
    }

    private static void Check(StreamDescriptor descriptor, TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(context);
        if (descriptor.Transport is not KafkaTransportDescriptor)
        {
            throw new ArgumentException($"The kafka transport needs a {nameof(KafkaTransportDescriptor)}, not {descriptor.Transport.GetType().Name}.", nameof(descriptor));
        }
    }
}
