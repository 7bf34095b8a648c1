using System.Net;
using System.Net.Sockets;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Transports;
using FastScore.Streams.Transports.Http;
using FastScore.Streams.Transports.Tcp;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastScore.Streams.Benchmarks.Network;

/// <summary>
/// TCP and HTTP inputs end to end (→ delimited → json → identity over the record bytes → json → discard) against a raw
/// read of the same bytes from the same local server, in the same run: a socket read to the end (TCP) and an
/// <see cref="HttpClient"/> GET read to the end (HTTP). The servers run in this process on loopback.
/// </summary>
/// <remarks>Run: <c>dotnet benchmarks/FastScore.Streams.Benchmarks/bin/Release/net10.0/FastScore.Streams.Benchmarks.dll --filter '*NetworkTransportBenchmarks*' --job short</c>.</remarks>
[MemoryDiagnoser]
public class NetworkTransportBenchmarks
{
    private byte[] _data = [];
    private TcpListener _tcp = null!;
    private HttpListener _http = null!;
    private string _url = "";
    private CancellationTokenSource _stop = null!;
    private StreamFactory _factory = null!;
    private HttpClient _client = null!;

    /// <summary>Gets or sets the records served (iris-like NDJSON, about 100 bytes each).</summary>
    [Params(300_000)]
    public int Records { get; set; }

    /// <summary>Starts the TCP server (each connection gets the whole data, then a close) and the HTTP server.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _data = IrisData.NewlineDelimited(Records);
        _stop = new CancellationTokenSource();
        _tcp = new TcpListener(IPAddress.Loopback, 0);
        _tcp.Start();
        _ = Task.Run(ServeTcpAsync);
        int port = FreePort();
        _url = $"http://127.0.0.1:{port}/data.jsons";
        _http = new HttpListener();
        _http.Prefixes.Add($"http://127.0.0.1:{port}/");
        _http.Start();
        _ = Task.Run(ServeHttpAsync);
        _client = new HttpClient(HttpInput.CreateHandler());
        var options = new StreamFactoryOptions();
        options.Transports[TransportTypes.Tcp] = new BenchProvider(d => new TcpConnectInput("bench", ((TcpTransportDescriptor)d.Transport).Host, ((TcpTransportDescriptor)d.Transport).Port));
        options.Transports[TransportTypes.Http] = new BenchProvider(d => new HttpInput("bench", ((HttpTransportDescriptor)d.Transport).Url, NullLogger.Instance));
        _factory = new StreamFactory(options);
    }

    /// <summary>Stops the servers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _tcp.Stop();
        _http.Close();
        _client.Dispose();
    }

    /// <summary>The TCP ceiling: connect, read to the end into a 64 KiB buffer, drop.</summary>
    /// <returns>The bytes read.</returns>
    [Benchmark(Baseline = true)]
    public async Task<long> RawSocketRead()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync((IPEndPoint)_tcp.LocalEndpoint);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>TCP → delimited → json → identity (record bytes) → json → discard.</summary>
    /// <returns>The final state.</returns>
    [Benchmark]
    public Task<EngineState> TcpToBytesToDiscard() =>
        RunAsync(new TcpTransportDescriptor { Host = "127.0.0.1", Port = ((IPEndPoint)_tcp.LocalEndpoint).Port });

    /// <summary>The HTTP ceiling: HttpClient GET (headers first), the body read to the end into a 64 KiB buffer.</summary>
    /// <returns>The bytes read.</returns>
    [Benchmark]
    public async Task<long> RawHttpClientRead()
    {
        using HttpResponseMessage response = await _client.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>HTTP → delimited → json → identity (record bytes) → json → discard.</summary>
    /// <returns>The final state.</returns>
    [Benchmark]
    public Task<EngineState> HttpToBytesToDiscard() => RunAsync(new HttpTransportDescriptor { Url = _url });

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private async Task<EngineState> RunAsync(TransportDescriptor input)
    {
        await using var engine = new ScoringEngine(_factory);
        engine.LoadModel(new BytesIdentity());
        engine.Attach(0, new StreamDescriptor { Transport = input, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = EncodingDescriptor.Json, Schema = SchemaReference.None });
        engine.Attach(1, new StreamDescriptor { Transport = new DiscardTransportDescriptor(), Envelope = null, Encoding = EncodingDescriptor.Json, Schema = SchemaReference.None, LingerTime = null });
        EngineState state = await engine.Completion.ConfigureAwait(false);
        return state == EngineState.Finished ? state : throw new InvalidOperationException(engine.Inspect().Error);
    }

    private async Task ServeTcpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    await client.SendAsync(_data, SocketFlags.None);
                    client.Shutdown(SocketShutdown.Both);
                }
            });
        }
    }

    private async Task ServeHttpAsync()
    {
        while (_http.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _http.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using HttpListenerResponse response = context.Response;
                response.ContentLength64 = _data.Length;
                response.ContentType = "application/x-ndjson";
                try
                {
                    await response.OutputStream.WriteAsync(_data);
                }
                catch (HttpListenerException)
                {
                    // the client went away
                }
            });
        }
    }

    /// <summary>Until the transports are registered providers: the running transport for a descriptor of today's type.</summary>
    private sealed class BenchProvider(Func<StreamDescriptor, InputTransport> create) : TransportProvider
    {
        public override string Type => "bench";

        public override InputTransport CreateInput(StreamDescriptor descriptor, Transports.TransportContext context) => create(descriptor);
    }

    private sealed class BytesIdentity : IModel<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>
    {
        public ValueTask ActionAsync(ReadOnlyMemory<byte> input, RecordContext context, IModelOutput<ReadOnlyMemory<byte>> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }
}
