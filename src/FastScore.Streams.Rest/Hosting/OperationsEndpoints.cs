using System.Security.Cryptography;
using System.Text;
using FastScore.Streams.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FastScore.Streams.Rest.Hosting;

/// <summary>
/// <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> of <see cref="FastScoreServer"/>: what an orchestrator (Kubernetes
/// probes) and a Prometheus server ask for.
/// </summary>
internal static class OperationsEndpoints
{
    public static void Map(WebApplication app, ScoringEngine engine, FastScoreRestOptions options)
    {
        byte[]? apiKey = options.ApiKey is { } key ? Encoding.UTF8.GetBytes(key) : null;
        byte[]? basic = options.UserName is { } user ? Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{options.Password}"))) : null;

        // /metrics takes the API's credentials (Prometheus sends them: basic_auth, or authorization with a bearer key).
        app.UseWhen(ctx => ctx.Request.Path.Equals("/metrics", StringComparison.Ordinal) && (apiKey is not null || basic is not null), branch => branch.Use(async (ctx, next) =>
        {
            if (!Authenticated(ctx.Request, apiKey, basic))
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                if (basic is not null)
                {
                    ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"fastscore\"";
                }

                return;
            }

            await next(ctx).ConfigureAwait(false);
        }));
        app.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");

        // Probes answer without credentials and say nothing but the engine's state.
        app.Use(async (ctx, next) =>
        {
            PathString path = ctx.Request.Path;
            if (path.Equals("/healthz", StringComparison.Ordinal))
            {
                EngineState state = engine.State;
                await Answer(ctx, state == EngineState.Error ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK, state).ConfigureAwait(false);
                return;
            }

            if (path.Equals("/readyz", StringComparison.Ordinal))
            {
                EngineState state = engine.State;
                await Answer(ctx, state is EngineState.Running or EngineState.Paused ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, state).ConfigureAwait(false);
                return;
            }

            await next(ctx).ConfigureAwait(false);
        });
    }

    private static Task Answer(HttpContext ctx, int status, EngineState state)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        return ctx.Response.WriteAsync(state.ToString().ToUpperInvariant() + "\n", ctx.RequestAborted);
    }

    private static bool Authenticated(HttpRequest request, byte[]? apiKey, byte[]? basic)
    {
        string authorization = request.Headers.Authorization.ToString();
        if (apiKey is not null)
        {
            string? key = request.Headers["X-API-Key"];
            if (key is null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                key = authorization[7..].Trim();
            }

            if (key is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), apiKey))
            {
                return true;
            }
        }

        return basic is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[6..].Trim()), basic);
    }
}
