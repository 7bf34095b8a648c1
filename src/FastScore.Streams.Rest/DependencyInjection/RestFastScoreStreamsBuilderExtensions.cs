using FastScore.Streams.Rest.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FastScore.Streams.Rest;

/// <summary>Registers the REST transport with FastScore.Streams.</summary>
public static class RestFastScoreStreamsBuilderExtensions
{
    /// <summary>
    /// Registers the <c>rest</c> transport (one <see cref="RestTransportHub"/> per service provider) and the
    /// <see cref="FastScoreRestOptions"/> of the API. Register the engine with <c>AddEngine&lt;TModel&gt;(slots =&gt;
    /// slots.Attach(0, "rest:").Attach(1, "rest:"))</c> (or your own <see cref="ScoringEngine"/> singleton built from the
    /// registered <see cref="StreamFactory"/>), then map the API with <c>app.MapFastScore()</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the API settings (authentication, timeouts, sizes).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddRestTransport(this IFastScoreStreamsBuilder builder, Action<FastScoreRestOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton<RestTransportHub>();
        services.AddOptions<RestTransportOptions>();
        services.AddOptions<FastScoreRestOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddOptions<StreamFactoryOptions>()
            .Configure<RestTransportHub, IOptions<RestTransportOptions>>((o, hub, transport) => o.Components.Add(new RestTransportProvider(hub, transport.Value)));
        return builder;
    }
}

/// <summary>Adds the REST transport to a stream factory's registries without dependency injection.</summary>
public static class RestStreamFactoryOptionsExtensions
{
    /// <summary>Registers the <c>rest</c> transport unless it is registered already, and returns its hub.</summary>
    /// <param name="options">The registries (e.g. <c>engine.Factory.Options</c>).</param>
    /// <param name="transportOptions">Queue sizes, used when the transport is added.</param>
    /// <returns>The hub the REST streams of that factory register with.</returns>
    public static RestTransportHub AddRestTransport(this StreamFactoryOptions options, RestTransportOptions? transportOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (options)
        {
            if (options.Components.TryGetTransport(RestTransportDescriptor.TypeName, out Streams.Transports.TransportProvider? existing) && existing is RestTransportProvider rest)
            {
                return rest.Hub;
            }

            var provider = new RestTransportProvider(new RestTransportHub(), transportOptions);
            options.Components.Add(provider);
            return provider.Hub;
        }
    }
}
