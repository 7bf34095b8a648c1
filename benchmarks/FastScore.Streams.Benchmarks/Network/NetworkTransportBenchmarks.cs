using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
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
/// <see cref="HttpClient"/> GET read to the end (HTTP). The servers run in this process on loopback. The same pipeline
/// from a local file is the ceiling any input reaches: it shows what the transports cost on top of the pipeline.
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
    private string _file = "";

    /// <summary>Gets or sets the records served (iris-like NDJSON, about 100 bytes each).</summary>
    [Params(300_000)]
    public int Records { get; set; }

    /// <summary>Gets the bytes served.</summary>
    public long DataLength => _data.Length;

    /// <summary>Starts the TCP server (each connection gets the whole data, then a close) and the HTTP server.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _data = IrisData.NewlineDelimited(Records);
        _file = Path.Combine(Path.GetTempPath(), $"fss-network-bench-{Environment.ProcessId}.jsons");
        File.WriteAllBytes(_file, _data);
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
        options.Components.Add(new BenchProvider(d => new TcpConnectInput("bench", ((TcpTransportDescriptor)d.Transport).Host, ((TcpTransportDescriptor)d.Transport).Port), TransportTypes.Tcp));
        options.Components.Add(new BenchProvider(d => new HttpInput("bench", ((HttpTransportDescriptor)d.Transport).Url, NullLogger.Instance), TransportTypes.Http));
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
        File.Delete(_file);
    }

    /// <summary>The pipeline's own ceiling: the same records from a local file (page cache) → json → identity → discard.</summary>
    /// <returns>The final state.</returns>
    [Benchmark]
    public Task<EngineState> FileToBytesToDiscard() => RunAsync(new FileTransportDescriptor { Path = _file });

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

    /// <summary>
    /// The fairer TCP baseline, what a user would hand-write for the same job: a raw socket read to the end, lines split
    /// with a vectorized <c>IndexOf('\n')</c>, each line parsed (<see cref="JsonDocument"/>) and written back as JSON
    /// (<see cref="Utf8JsonWriter"/>, newline after each) to <see cref="Stream.Null"/>.
    /// </summary>
    /// <returns>The records written.</returns>
    [Benchmark]
    public async Task<long> HandWrittenSocketJson()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync((IPEndPoint)_tcp.LocalEndpoint);
        byte[] buffer = new byte[64 * 1024];
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        using var writer = new Utf8JsonWriter(output);
        int filled = 0;
        long records = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None)) > 0)
        {
            filled += n;
            int start = 0;
            int newline;
            while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
            {
                records += WriteLine(writer, output, buffer.AsMemory(start, newline));
                start += newline + 1;
            }

            buffer.AsSpan(start, filled - start).CopyTo(buffer);
            filled -= start;
            if (output.WrittenCount > 32 * 1024)
            {
                await Stream.Null.WriteAsync(output.WrittenMemory);
                output.ResetWrittenCount();
            }
        }

        if (filled > 0)
        {
            records += WriteLine(writer, output, buffer.AsMemory(0, filled));
        }

        await Stream.Null.WriteAsync(output.WrittenMemory);
        return records;

        static int WriteLine(Utf8JsonWriter writer, ArrayBufferWriter<byte> output, ReadOnlyMemory<byte> line)
        {
            using JsonDocument document = JsonDocument.Parse(line);
            document.WriteTo(writer);
            writer.Flush();
            writer.Reset(output);
            output.Write("\n"u8);
            return 1;
        }
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
    private sealed class BenchProvider(Func<StreamDescriptor, InputTransport> create, string type) : TransportProvider
    {
        public override string Type => type;

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
