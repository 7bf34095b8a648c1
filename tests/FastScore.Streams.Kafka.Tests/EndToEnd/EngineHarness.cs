using System.Globalization;
using System.Text.Json;
using FastScore.Samples.Iris;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Schemas;
using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>Engines, descriptors and data for the end-to-end tests.</summary>
internal static class EngineHarness
{
    /// <summary>The registries the engine tests use: the built-ins, the kafka transport and the Avro schema checkers.</summary>
    public static StreamFactory Factory(Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, int? batchRecords = null)
    {
        var options = new StreamFactoryOptions().AddKafka(k => k.MaxBufferedMessages = batchRecords ?? 4096);
        if (batchRecords is { } records)
        {
            options.MaxBatchRecords = records;
            options.ChannelCapacity = 2;
        }

        return new StreamFactory(options, loggerFactory: loggerFactory);
    }

    /// <summary>An engine acknowledging every 200 ms; <paramref name="batchRecords"/> shrinks batches and buffers (less work in flight).</summary>
    public static ScoringEngine Engine(EngineOptions? options = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, int? batchRecords = null) =>
        new(Factory(loggerFactory, batchRecords), options ?? new EngineOptions { AcknowledgeInterval = TimeSpan.FromMilliseconds(200) }, loggerFactory);

    public static IReadOnlyList<string> GuideInputLines => IrisSampleData.ReadLines(IrisSampleData.GuideInputs).Where(l => l.Length > 0).ToList();

    public static IrisOutput Expected(string inputLine) => IrisModel.Predict(JsonSerializer.Deserialize<IrisInput>(inputLine)!);

    public static IrisOutput ParseOutput(string line) => JsonSerializer.Deserialize<IrisOutput>(line)!;

    public static StreamDescriptor KafkaJson(KafkaTransportDescriptor transport, RecordPosition? skipToRecord = null) => new()
    {
        Transport = transport,
        SkipToRecord = skipToRecord ?? RecordPosition.Earliest,
        Envelope = null,
        Encoding = EncodingDescriptor.Json,
    };

    public static StreamDescriptor KafkaUtf8(KafkaTransportDescriptor transport) => new()
    {
        Transport = transport,
        SkipToRecord = RecordPosition.Earliest,
        Envelope = null,
        Encoding = EncodingDescriptor.Utf8,
        Schema = SchemaReference.None,
    };

    public static StreamDescriptor JsonFile(string path, bool loop = false) => new()
    {
        Transport = new FileTransportDescriptor { Path = path },
        Loop = loop,
        Envelope = new DelimitedEnvelopeDescriptor(),
        Encoding = EncodingDescriptor.Json,
    };

    /// <summary>Waits until the engine has written at least <paramref name="count"/> records to <paramref name="slot"/> (a guard, not a timing assertion).</summary>
    public static async Task WaitForOutputsAsync(ScoringEngine engine, long count, int slot = 1)
    {
        using var guard = new CancellationTokenSource(KafkaStreams.Guard);
        while (OutputCount(engine, slot) < count)
        {
            if (engine.Completion.IsCompleted)
            {
                Assert.Fail($"The engine ended ({engine.State}: {engine.Inspect().Error}) after {OutputCount(engine, slot)} of {count} outputs.");
            }

            await Task.Delay(20, guard.Token);
        }
    }

    public static long OutputCount(ScoringEngine engine, int slot = 1) =>
        engine.Inspect().Slots.FirstOrDefault(s => s.Slot == slot)?.Records ?? 0;

    /// <summary>Reads a whole topic with kcat (another process, another librdkafka build): one value per line.</summary>
    public static async Task<List<string>> KcatValuesAsync(KafkaTestCluster cluster, string topic) =>
        (await Kcat.RunAsync(["-C", "-b", cluster.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"]))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>Produces lines with kcat, keyed <c>key-i</c> (tab-separated), so the partitioner spreads them.</summary>
    public static Task KcatProduceAsync(KafkaTestCluster cluster, string topic, IEnumerable<string> values) =>
        Kcat.RunAsync(["-P", "-b", cluster.BootstrapServers, "-t", topic, "-K", "\t"],
            string.Concat(values.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"key-{i}\t{v}\n"))));

    public static string TempFile(string name, IEnumerable<string> lines)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("fss-kafka-").FullName, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}

/// <summary>
/// Copies its input to slot 1 and records which partitions it saw (through <see cref="RecordContext.Metadata"/>).
/// It can hold still at a chosen record (<see cref="BlockAt"/>) until the test releases it, so that faults happen
/// mid-stream deterministically.
/// </summary>
internal sealed class EchoModel : IModel<string, string>
{
    private readonly HashSet<int> _partitions = [];
    private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _seen;

    /// <summary>Gets the number of the record (1-based, per model instance) at which the model waits for <see cref="Release"/>; 0 for never.</summary>
    public long BlockAt { get; init; }

    /// <summary>Gets the delay added to every record.</summary>
    public TimeSpan DelayPerRecord { get; init; }

    /// <summary>Gets a task that completes when the model reaches <see cref="BlockAt"/>.</summary>
    public Task Blocked => _blocked.Task;

    public long Seen => Interlocked.Read(ref _seen);

    public IReadOnlyCollection<int> Partitions
    {
        get
        {
            lock (_partitions)
            {
                return [.. _partitions];
            }
        }
    }

    public void Release() => _release.TrySetResult();

    public async ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
    {
        if (context.Metadata is KafkaMessageMetadata kafka)
        {
            lock (_partitions)
            {
                _partitions.Add(kafka.Partition);
            }
        }

        if (Interlocked.Increment(ref _seen) == BlockAt)
        {
            _blocked.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
        }

        if (DelayPerRecord > TimeSpan.Zero)
        {
            await Task.Delay(DelayPerRecord, cancellationToken);
        }

        output.Emit(input);
    }
}
