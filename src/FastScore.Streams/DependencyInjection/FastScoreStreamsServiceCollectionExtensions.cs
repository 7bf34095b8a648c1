using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FastScore.Streams;

/// <summary>The builder returned by <see cref="FastScoreStreamsServiceCollectionExtensions.AddFastScoreStreams(IServiceCollection)"/>; transport packages extend it.</summary>
public interface IFastScoreStreamsBuilder
{
    /// <summary>Gets the service collection.</summary>
    IServiceCollection Services { get; }
}

/// <summary>Registers FastScore.Streams in a service collection.</summary>
public static class FastScoreStreamsServiceCollectionExtensions
{
    /// <summary>Adds the stream factory and the built-in transports, envelopes, encodings and checkers. Calling it again is harmless.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add transports and named streams.</returns>
    public static IFastScoreStreamsBuilder AddFastScoreStreams(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(Marker)))
        {
            services.AddSingleton<Marker>();
            services.AddOptions<StreamFactoryOptions>();
            services.TryAddSingleton(sp => new StreamFactory(
                sp.GetRequiredService<IOptions<StreamFactoryOptions>>(), sp, sp.GetService<ILoggerFactory>()));
        }

        return new Builder(services);
    }

    /// <summary>Adds FastScore.Streams and configures its registries.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the registries (add or replace transports, envelopes, encodings, checkers).</param>
    /// <returns>A builder to add transports and named streams.</returns>
    public static IFastScoreStreamsBuilder AddFastScoreStreams(this IServiceCollection services, Action<StreamFactoryOptions> configure)
    {
        IFastScoreStreamsBuilder builder = services.AddFastScoreStreams();
        services.Configure(configure);
        return builder;
    }

    private sealed class Marker;

    private sealed class Builder(IServiceCollection services) : IFastScoreStreamsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>Extension methods of <see cref="IFastScoreStreamsBuilder"/>.</summary>
public static class FastScoreStreamsBuilderExtensions
{
    /// <summary>Registers (or replaces) the transport provider of a type name.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The provider; its <see cref="TransportProvider.Type"/> is the name.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddTransport(this IFastScoreStreamsBuilder builder, TransportProvider provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        builder.Services.Configure<StreamFactoryOptions>(o => o.Transports[provider.Type] = provider);
        return builder;
    }

    /// <summary>Registers a named stream descriptor, resolvable as a keyed <see cref="StreamDescriptor"/> service with that name.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The stream's name.</param>
    /// <param name="descriptor">The validated descriptor.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddStream(this IFastScoreStreamsBuilder builder, string name, StreamDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(descriptor);
        builder.Services.AddKeyedSingleton(name, descriptor);
        return builder;
    }
}
