using Amazon.S3;
using FastScore.Streams.Descriptors;
using FastScore.Streams.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FastScore.Streams;

/// <summary>Registers the <c>s3</c> transport on <see cref="IFastScoreStreamsBuilder"/>.</summary>
public static class S3FastScoreStreamsBuilderExtensions
{
    /// <summary>
    /// Registers the <c>s3</c> transport. An <see cref="IAmazonS3"/> registered in the container serves descriptors that
    /// name no connection of their own (no <c>Endpoint</c>, keys or <c>AssumeRoleWithSAML</c>); other descriptors get a
    /// client built from their fields.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddFastScoreStreams()</c>.</param>
    /// <param name="configure">Changes the settings (part size, retries, client factory...), or <see langword="null"/>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddS3Transport(this IFastScoreStreamsBuilder builder, Action<S3TransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<S3TransportOptions> s3 = builder.Services.AddOptions<S3TransportOptions>();
        if (configure is not null)
        {
            s3.Configure(configure);
        }

        builder.Services.AddOptions<StreamFactoryOptions>()
            .Configure<IOptions<S3TransportOptions>>((options, settings) => options.Components.Add(new S3TransportProvider(settings.Value)));
        return builder;
    }
}

/// <summary>Registers the <c>s3</c> transport on <see cref="StreamFactoryOptions"/> (without dependency injection).</summary>
public static class S3StreamFactoryOptionsExtensions
{
    /// <summary>Registers (or replaces) the <c>s3</c> transport.</summary>
    /// <param name="options">The registries.</param>
    /// <param name="clientFactory">Makes the client of each stream from its descriptor (secrets resolved), or
    /// <see langword="null"/> to build one from the descriptor's fields.</param>
    /// <returns>The same options, for chaining.</returns>
    public static StreamFactoryOptions AddS3(this StreamFactoryOptions options, Func<S3TransportDescriptor, IAmazonS3>? clientFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AddS3(new S3TransportOptions { ClientFactory = clientFactory });
    }

    /// <summary>Registers (or replaces) the <c>s3</c> transport with settings.</summary>
    /// <param name="options">The registries.</param>
    /// <param name="settings">The S3 settings.</param>
    /// <returns>The same options, for chaining.</returns>
    public static StreamFactoryOptions AddS3(this StreamFactoryOptions options, S3TransportOptions settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Components.Add(new S3TransportProvider(settings));
        return options;
    }
}
