using System.Net;
using System.Security.Cryptography.X509Certificates;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;

namespace FastScore.Streams.Rest.Hosting;

/// <summary>Settings of a <see cref="FastScoreServer"/>.</summary>
public sealed class FastScoreServerOptions
{
    /// <summary>Gets the URLs to listen on (port 0 picks a free port; see <see cref="FastScoreServer.Addresses"/>).</summary>
    /// <value>The default value is <c>http://127.0.0.1:8003</c>, FastScore's engine port, on loopback only.</value>
    public IList<string> Urls { get; } = ["http://127.0.0.1:8003"];

    /// <summary>Gets or sets the API settings (authentication, timeouts, sizes).</summary>
    public FastScoreRestOptions Rest { get; set; } = new();

    /// <summary>Gets or sets the path of a PKCS#12 (.pfx) certificate for the <c>https://</c> URLs.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Gets or sets the certificate's password.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Gets or sets the certificate for the <c>https://</c> URLs (instead of <see cref="CertificatePath"/>).</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the server may listen on a non-loopback address (<c>0.0.0.0</c>, <c>*</c>,
    /// a host name, a LAN address) without authentication. Without it, <see cref="FastScoreServer.StartAsync"/> refuses
    /// such an address unless <see cref="FastScoreRestOptions.ApiKey"/> or <see cref="FastScoreRestOptions.UserName"/> is set.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowAnonymous { get; set; }

    /// <summary>Gets or sets how the server logs (none by default).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the server exposes <c>/metrics</c> (the <c>FastScore.Streams</c> and
    /// <c>FastScore.Streams.Kafka</c> meters in Prometheus text format, through the OpenTelemetry Prometheus exporter; it
    /// takes the API's credentials when the API requires some), <c>/healthz</c> and <c>/readyz</c> (see docs/operations.md).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ExposeOperations { get; set; } = true;
}

/// <summary>
/// A standalone Kestrel server exposing FastScore's engine REST API for one engine (what <c>fastscore serve</c> runs).
/// Hosts with their own ASP.NET Core application use <see cref="FastScoreEndpointRouteBuilderExtensions.MapFastScore"/> instead.
/// </summary>
/// <remarks>The server does not own the engine: stop the server, then dispose the engine.</remarks>
public sealed class FastScoreServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FastScoreServer(WebApplication app, ScoringEngine engine, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        Engine = engine;
        Addresses = addresses;
    }

    /// <summary>Gets the engine served.</summary>
    public ScoringEngine Engine { get; }

    /// <summary>Gets the addresses the server listens on, with the actual ports.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>Gets the first address.</summary>
    public Uri BaseAddress => Addresses[0];

    /// <summary>Starts serving an engine.</summary>
    /// <param name="engine">The engine (its stream factory gets the <c>rest</c> transport if it has none).</param>
    /// <param name="options">Addresses, certificate, API settings.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="IOException">An address is in use.</exception>
    /// <exception cref="InvalidOperationException">An address is not a loopback address and no authentication is configured (see <see cref="FastScoreServerOptions.AllowAnonymous"/>).</exception>
    public static async Task<FastScoreServer> StartAsync(ScoringEngine engine, FastScoreServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        options ??= new FastScoreServerOptions();
        if (!options.AllowAnonymous && options.Rest.UserName is null && options.Rest.ApiKey is null
            && options.Urls.FirstOrDefault(url => !IsLocal(url)) is { } exposed)
        {
            throw new InvalidOperationException(
                $"Refusing to listen on {exposed} without authentication: anyone who can reach that address could attach streams and use the model. " +
                "Require credentials (fastscore serve: --api-key-file, --user-file, or the FASTSCORE_API_KEY / FASTSCORE_USER environment variables; " +
                "FastScoreRestOptions.ApiKey or UserName/Password), listen on a loopback address such as http://127.0.0.1:8003, " +
                "or allow anonymous access explicitly (--allow-anonymous; FastScoreServerOptions.AllowAnonymous).");
        }

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(FastScoreServer).Assembly.GetName().Name });
        X509Certificate2? certificate = options.Certificate
            ?? (options.CertificatePath is { } path ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword) : null);
        builder.WebHost.UseKestrelCore();
        if (certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.Rest.MaxRequestBodySize;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            if (certificate is not null)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging => options.ConfigureLogging?.Invoke(logging));
        if (options.ExposeOperations)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter("FastScore.Streams", "FastScore.Streams.Kafka")
                .AddPrometheusExporter());
        }

        WebApplication app = builder.Build();
        if (options.ExposeOperations)
        {
            OperationsEndpoints.Map(app, engine, options.Rest);
        }

        app.UseRouting();
        app.MapFastScore(engine, options.Rest);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        ICollection<string> bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        Uri[] addresses = [.. bound.Select(a => new Uri(a.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)))];
        ILogger logger = app.Services.GetService<ILoggerFactory>()?.CreateLogger("FastScore.Streams.Rest") ?? NullLogger.Instance;
        Log.ServerStarted(logger, string.Join(", ", addresses.Select(a => a.ToString())));
        return new FastScoreServer(app, engine, addresses);
    }

    /// <summary>Whether a URL only listens on this machine: a loopback address, <c>localhost</c> or a Unix socket.</summary>
    internal static bool IsLocal(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return false; // Kestrel will refuse it anyway
        }

        if (address.IsUnixPipe || address.IsNamedPipe || address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string host = address.Host.StartsWith('[') && address.Host.EndsWith(']') ? address.Host[1..^1] : address.Host;
        return IPAddress.TryParse(host, out IPAddress? ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>Waits until the server stops (<see cref="StopAsync"/>) or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the server stops.</returns>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(_app, cancellationToken);

    /// <summary>Stops accepting requests and lets those in flight finish.</summary>
    /// <param name="cancellationToken">Makes the stop ungraceful.</param>
    /// <returns>A task that completes when stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
