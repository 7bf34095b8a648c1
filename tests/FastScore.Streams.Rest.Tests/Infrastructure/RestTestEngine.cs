using System.Net.Http.Headers;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Hosting;
using FastScore.Streams.Rest.Transports;

namespace FastScore.Streams.Rest.Tests.Infrastructure;

/// <summary>An engine served by a real Kestrel server on loopback (port 0), and an HttpClient pointed at it.</summary>
internal sealed class RestTestEngine : IAsyncDisposable
{
    private RestTestEngine(ScoringEngine engine, FastScoreServer server, HttpClient client)
    {
        Engine = engine;
        Server = server;
        Client = client;
    }

    public ScoringEngine Engine { get; }

    public FastScoreServer Server { get; }

    public HttpClient Client { get; }

    public static StreamDescriptor Rest(RestMode mode = RestMode.Simple) => new()
    {
        Transport = new RestTransportDescriptor { Mode = mode },
        Envelope = mode == RestMode.Chunked ? new DelimitedEnvelopeDescriptor() : null,
        Encoding = EncodingDescriptor.Json,
        Batching = new BatchingDescriptor(null, 0),
    };

    public static StreamFactoryOptions CreateFactoryOptions()
    {
        var options = new StreamFactoryOptions();

        return options;
    }

    /// <summary>Starts a server for a model; attaches REST streams (simple, JSON) to every slot of the model unless told otherwise.</summary>
    public static async Task<RestTestEngine> StartAsync(IModel? model, Action<FastScoreServerOptions>? configure = null, bool attachRest = true,
        ModelErrorPolicy onModelError = ModelErrorPolicy.Skip, RestTransportOptions? transport = null, Action<StreamFactoryOptions>? factory = null)
    {
        StreamFactoryOptions factoryOptions = CreateFactoryOptions();
        factory?.Invoke(factoryOptions);
        if (transport is not null)
        {
            factoryOptions.AddRestTransport(transport);
        }

        var engine = new ScoringEngine(new StreamFactory(factoryOptions), new EngineOptions { OnModelError = onModelError });
        var options = new FastScoreServerOptions();
        options.Urls.Clear();
        options.Urls.Add("http://127.0.0.1:0");
        configure?.Invoke(options);
        FastScoreServer server = await FastScoreServer.StartAsync(engine, options);
        if (model is not null)
        {
            engine.LoadModel(model);
            if (attachRest)
            {
                foreach (SlotDefinition slot in model.Slots)
                {
                    engine.Attach(slot.Slot, Rest());
                }
            }
        }

        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.Certificate is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == options.Certificate.GetCertHashString();
        }

        var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var rest = new RestTestEngine(engine, server, client);
        if (model is not null && attachRest)
        {
            await rest.WaitForStateAsync(EngineState.Running);
        }

        return rest;
    }

    /// <summary>Finds the REST input transport attached to a slot (to watch its queues).</summary>
    public T Input<T>(int slot) where T : FastScore.Streams.Transports.InputTransport =>
        (T)(Engine.Factory.Options.Components.TryGetTransport(RestTransportDescriptor.TypeName, out var rest) ? (RestTransportProvider)rest : throw new InvalidOperationException("no rest transport")).Hub.FindInput(slot)!;

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static void UseBasic(HttpClient client, string user, string password) =>
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public async Task WaitForStateAsync(EngineState state)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Engine.State != state)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Engine.DisposeAsync();
    }
}
