using FastScore.Streams.Kafka;

namespace FastScore.Streams.Descriptors;

/// <summary>The Kafka transport's builder method.</summary>
public static class KafkaStreamDescriptorBuilderExtensions
{
    /// <summary>Uses a Kafka topic.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the bootstrap servers, the topic and any other Kafka field.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public static StreamDescriptorBuilder UseKafka(this StreamDescriptorBuilder builder, Action<KafkaTransportSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var settings = new KafkaTransportSettings();
        configure(settings);
        return builder.UseTransport(settings.ToDescriptor());
    }
}
