using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FastScore.Streams;

/// <summary>Registers the <c>kafka</c> transport on <see cref="IFastScoreStreamsBuilder"/>.</summary>
public static class KafkaFastScoreStreamsBuilderExtensions
{
    /// <summary>
    /// Registers the <c>kafka</c> transport, so that descriptors with <c>"Transport": {"Type": "kafka", ...}</c> can be
    /// read and written. Calling it again only adds the configuration.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddFastScoreStreams()</c>.</param>
    /// <param name="configure">Changes the host-wide Kafka options (client configuration hooks, prefetch buffer), or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddKafkaTransport(this IFastScoreStreamsBuilder builder, Action<KafkaTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<KafkaTransportOptions> options = builder.Services.AddOptions<KafkaTransportOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.MaxBufferedMessages >= 1, $"{nameof(KafkaTransportOptions.MaxBufferedMessages)} must be at least 1.");
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<StreamFactoryOptions>, RegisterKafka>());
        return builder;
    }

    private sealed class RegisterKafka(IOptions<KafkaTransportOptions> options) : IConfigureOptions<StreamFactoryOptions>
    {
        public void Configure(StreamFactoryOptions factory) => factory.Components.Add(new KafkaTransportProvider(options.Value));
    }
}

/// <summary>Registers the <c>kafka</c> transport on <see cref="StreamFactoryOptions"/>, for hosts that do not use dependency injection.</summary>
public static class KafkaStreamFactoryOptionsExtensions
{
    /// <summary>Registers (or replaces) the <c>kafka</c> transport.</summary>
    /// <param name="options">The registries, e.g. <c>new StreamFactoryOptions()</c>.</param>
    /// <param name="configure">Changes the host-wide Kafka options, or <see langword="null"/>.</param>
    /// <returns>The same options instance so that multiple calls can be chained.</returns>
    public static StreamFactoryOptions AddKafka(this StreamFactoryOptions options, Action<KafkaTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kafka = new KafkaTransportOptions();
        configure?.Invoke(kafka);
        options.Components.Add(new KafkaTransportProvider(kafka));
        return options;
    }
}
