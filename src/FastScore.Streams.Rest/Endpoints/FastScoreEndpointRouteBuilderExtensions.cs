using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Endpoints;
using FastScore.Streams.Rest.Transports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FastScore.Streams.Rest;

/// <summary>Maps FastScore's engine REST API into a host's ASP.NET Core application.</summary>
public static class FastScoreEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps FastScore's engine REST API for one engine: round trips (<c>POST /2/active/model/roundtrip/{in}/{out}</c>),
    /// REST stream data (<c>POST /1/job/input/{slot}</c>, <c>GET /1/job/output/{slot}</c>), streams
    /// (<c>PUT/GET/DELETE /2/active/stream/{slot}</c>), engine state and control, job status and stream sampling; every
    /// path also under <c>/api/1/service/{engine}</c> unless <see cref="FastScoreRestOptions.ServeProxyPrefix"/> is off.
    /// </summary>
    /// <param name="endpoints">The application or a route group (for a route prefix).</param>
    /// <param name="engine">The engine; <see langword="null"/> resolves <see cref="ScoringEngine"/> from the services
    /// (<c>services.AddFastScoreStreams().AddRestTransport().AddEngine&lt;TModel&gt;(...)</c> registers one).</param>
    /// <param name="options">The API settings; <see langword="null"/> takes <see cref="FastScoreRestOptions"/> from the services, or the defaults.</param>
    /// <returns>The group holding every endpoint, so the host can add its own conventions (<c>RequireAuthorization()</c>, rate limiting...).</returns>
    /// <remarks>The engine's stream factory gets the <c>rest</c> transport if it has none (see <see cref="RestStreamFactoryOptionsExtensions.AddRestTransport"/>).</remarks>
    /// <exception cref="InvalidOperationException">No engine is given and none is registered.</exception>
    public static RouteGroupBuilder MapFastScore(this IEndpointRouteBuilder endpoints, ScoringEngine? engine = null, FastScoreRestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        IServiceProvider services = endpoints.ServiceProvider;
        engine ??= services.GetService<ScoringEngine>()
            ?? throw new InvalidOperationException("No ScoringEngine: pass one to MapFastScore, or register one (services.AddFastScoreStreams().AddRestTransport().AddEngine<TModel>(slots => slots.Attach(0, \"rest:\").Attach(1, \"rest:\"))).");
        options ??= services.GetService<IOptions<FastScoreRestOptions>>()?.Value ?? new FastScoreRestOptions();
        RestTransportHub hub = engine.Factory.Options.AddRestTransport();
        ILogger logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("FastScore.Streams.Rest");
        var api = new FastScoreApi(engine, hub, options, logger);
        RouteGroupBuilder group = endpoints.MapGroup("");
        api.Map(group);
        if (options.ServeProxyPrefix)
        {
            api.Map(group.MapGroup(FastScoreRestOptions.ProxyPrefix));
        }

        return group;
    }
}
