using FastScore.Streams.Descriptors;
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
    /// <summary>
    /// Adds the stream factory (with the built-in transports, envelopes and encodings), the descriptor-reading options,
    /// the <see cref="StreamCatalog"/> of named streams and the keyed <see cref="StreamDescriptor"/> services.
    /// Calling it again is harmless: the services are registered once, and each call returns a builder over the same collection.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add transports, schemas and named streams.</returns>
    /// <remarks>
    /// Every default is registered with <c>TryAdd</c>: register your own <see cref="StreamFactory"/>,
    /// <see cref="StreamDescriptorOptions"/> or <see cref="StreamCatalog"/> first to replace it. Named streams are
    /// read and validated when the <see cref="StreamCatalog"/> is first resolved; under the generic host that happens
    /// at start (options <c>ValidateOnStart</c>), so an invalid descriptor stops the host with a
    /// <see cref="DescriptorException"/> before any stream runs.
    /// </remarks>
    public static IFastScoreStreamsBuilder AddFastScoreStreams(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(Marker)))
        {
            services.AddSingleton<Marker>();
            services.AddOptions<StreamFactoryOptions>();
            services.TryAddSingleton(sp => new StreamFactory(
                sp.GetRequiredService<IOptions<StreamFactoryOptions>>(), sp, sp.GetService<ILoggerFactory>()));
            services.TryAddSingleton(sp => sp.GetRequiredService<StreamFactory>().Options.CreateDescriptorOptions());
            services.TryAddSingleton(StreamCatalog.FromServices);
            services.TryAddKeyedSingleton<StreamDescriptor>(KeyedService.AnyKey, static (sp, key) =>
                key is string name && sp.GetRequiredService<StreamCatalog>().TryGetDescriptor(name, out StreamDescriptor? descriptor)
                    ? descriptor
                    : null!);
            services.AddOptions<StreamCatalogStartupCheck>()
                .Configure<StreamCatalog>(static (_, _) => { })
                .ValidateOnStart();
        }

        return new Builder(services);
    }

    /// <summary>Adds FastScore.Streams and configures its registries.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the registries (add or replace transports, envelopes, encodings, checkers, the schema library).</param>
    /// <returns>A builder to add transports, schemas and named streams.</returns>
    public static IFastScoreStreamsBuilder AddFastScoreStreams(this IServiceCollection services, Action<StreamFactoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
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

/// <summary>The options type whose start-up validation resolves the <see cref="StreamCatalog"/>, so that bad descriptors stop the host at start.</summary>
internal sealed class StreamCatalogStartupCheck;
