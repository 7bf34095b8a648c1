using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using FastScore.Samples.Iris;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest;
using FastScore.Streams.Rest.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

// REST load test: N concurrent HttpClient loops (bounded in time) against, in the same run,
//   bare  — a bare Kestrel endpoint that echoes the JSON body (the ceiling for this machine),
//   echo  — FastScore round trip 0 → 1 with a model that returns its input (REST transport + engine overhead),
//   iris  — FastScore round trip with the guide's iris model (LightGBM, schema-checked JSON in and out).
// Loopback only. Usage: dotnet run -c Release --project benchmarks/FastScore.Streams.Rest.LoadTest -- [--seconds 10] [--concurrency 1,8,32]
int seconds = 10;
int[] concurrencies = [1, 8, 32];
for (int i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--seconds")
    {
        seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
    else if (args[i] == "--concurrency")
    {
        concurrencies = [.. args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
    }
}

string iris = IrisSampleData.ReadAllText(IrisSampleData.GuideSingleInput).Trim();
Console.WriteLine($"# REST load test: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {seconds} s per point (5 interleaved slices), client and server in one process");
Console.WriteLine();
Console.WriteLine("| target | concurrency | round trips/s | p50 ms | p90 ms | p99 ms | errors | vs bare |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");

await using WebApplication bare = await StartBareAsync();
Uri bareUri = Address(bare.Services);
await using var echoEngine = new ScoringEngine();
await using FastScoreServer echoServer = await StartFastScoreAsync(echoEngine, new EchoModel());
await using var irisEngine = new ScoringEngine();
await using FastScoreServer irisServer = await StartFastScoreAsync(irisEngine, new IrisModel());

(string Name, Uri Uri)[] targets =
[
    ("bare Kestrel echo", new Uri(bareUri, "/echo")),
    ("FastScore round trip, echo model", new Uri(echoServer.BaseAddress, "/2/active/model/roundtrip/0/1")),
    ("FastScore round trip, iris model", new Uri(irisServer.BaseAddress, "/2/active/model/roundtrip/0/1")),
];
byte[] payload = Encoding.UTF8.GetBytes(iris);
const int Rounds = 5;
foreach (int concurrency in concurrencies)
{
    // The targets take turns in short slices (Rounds each), so background load on a shared machine hits them alike.
    HttpClient[] clients = [.. targets.Select(_ => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false }))];
    var results = targets.Select(_ => new Accumulator()).ToArray();
    for (int t = 0; t < targets.Length; t++)
    {
        await RunAsync(clients[t], targets[t].Uri, payload, concurrency, TimeSpan.FromSeconds(Math.Min(2, seconds)), new Accumulator()); // warm-up
    }

    for (int round = 0; round < Rounds; round++)
    {
        for (int t = 0; t < targets.Length; t++)
        {
            await RunAsync(clients[t], targets[t].Uri, payload, concurrency, TimeSpan.FromSeconds((double)seconds / Rounds), results[t]);
        }
    }

    Result bareResult = results[0].Result();
    for (int t = 0; t < targets.Length; t++)
    {
        Print(targets[t].Name, concurrency, results[t].Result(), t == 0 ? null : bareResult);
        clients[t].Dispose();
    }
}

return 0;

static void Print(string name, int concurrency, Result r, Result? bare) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {concurrency} | {r.Rps:N0} | {r.P50:F3} | {r.P90:F3} | {r.P99:F3} | {r.Errors} | {(bare is null ? "1.00" : (r.Rps / bare.Rps).ToString("F2", CultureInfo.InvariantCulture))} |"));

static async Task RunAsync(HttpClient client, Uri uri, byte[] payload, int concurrency, TimeSpan duration, Accumulator into)
{
    long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var latencies = new List<long>[concurrency];
    int errors = 0;
    long started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(n => Task.Run(async () =>
    {
        var mine = new List<long>(100_000);
        latencies[n] = mine;
        while (Stopwatch.GetTimestamp() < end)
        {
            long t0 = Stopwatch.GetTimestamp();
            using var content = new ByteArrayContent(payload);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await client.PostAsync(uri, content);
            await response.Content.LoadIntoBufferAsync();
            mine.Add(Stopwatch.GetTimestamp() - t0);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref errors);
            }
        }
    })));
    into.Add(latencies.SelectMany(l => l), Stopwatch.GetElapsedTime(started).TotalSeconds, errors);
}

static async Task<WebApplication> StartBareAsync()
{
    WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
    builder.WebHost.UseKestrelCore();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Services.AddRoutingCore();
    WebApplication app = builder.Build();
    app.UseRouting();
    app.MapPost("/echo", async (HttpContext ctx) =>
    {
        var reader = ctx.Request.BodyReader;
        System.IO.Pipelines.ReadResult read;
        while (!(read = await reader.ReadAsync()).IsCompleted)
        {
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        byte[] body = System.Buffers.BuffersExtensions.ToArray(read.Buffer);
        reader.AdvanceTo(read.Buffer.End);
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body);
    });
    await app.StartAsync();
    return app;
}

static async Task<FastScoreServer> StartFastScoreAsync(ScoringEngine engine, IModel model)
{
    var options = new FastScoreServerOptions();
    options.Urls.Clear();
    options.Urls.Add("http://127.0.0.1:0");
    FastScoreServer server = await FastScoreServer.StartAsync(engine, options);
    engine.LoadModel(model);
    engine.Attach(0, RestDescriptors.FromArgument("rest:"));
    engine.Attach(1, RestDescriptors.FromArgument("rest:"));
    while (engine.State != EngineState.Running)
    {
        await Task.Delay(10);
    }

    return server;
}

static Uri Address(IServiceProvider services) =>
    new(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

internal sealed record Result(double Rps, double P50, double P90, double P99, int Errors);

/// <summary>Latencies and time summed over the slices of one target.</summary>
internal sealed class Accumulator
{
    private readonly List<long> _latencies = [];
    private double _seconds;
    private int _errors;

    public void Add(IEnumerable<long> latencies, double seconds, int errors)
    {
        _latencies.AddRange(latencies);
        _seconds += seconds;
        _errors += errors;
    }

    public Result Result()
    {
        long[] all = [.. _latencies];
        Array.Sort(all);
        double Ms(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new Result(all.Length / _seconds, Ms(0.50), Ms(0.90), Ms(0.99), _errors);
    }
}

/// <summary>Returns each JSON record unchanged (the json encoding passes byte[] through without parsing).</summary>
internal sealed class EchoModel : IModel<byte[], byte[]>
{
    public ValueTask ActionAsync(byte[] input, RecordContext context, IModelOutput<byte[]> output, CancellationToken cancellationToken)
    {
        output.Emit(input);
        return default;
    }
}
