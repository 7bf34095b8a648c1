using System.Globalization;
using System.Text;
using Confluent.Kafka;
using FastScore.Streams.Benchmarks.Schemas;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka;
using FastScore.Streams.Engine;
using FastScore.Streams.Schemas;
using KafkaMockHost;

namespace FastScore.Streams.Benchmarks.Kafka;

/// <summary>
/// Kafka → json → Avro schema check → identity model → json → Kafka through the <see cref="ScoringEngine"/>, against
/// a raw Confluent.Kafka consume-and-produce pass-through of the same messages, on a librdkafka mock cluster started
/// in <see cref="Setup"/> (same process, real Kafka protocol over TCP). Each invocation reads the whole input topic
/// with a new consumer group and writes every record to an output topic, waiting for all delivery reports.
/// Goal: the engine pipeline reaches at least 0.6× the pass-through's records/s.
/// </summary>
[MemoryDiagnoser]
public class KafkaPipelineBenchmark
{
    private const int Records = 100_000; // about 2.3 MB per input partition: under the mock's 5 MiB retention cap
    private const int Partitions = 4;
    private static readonly TimeSpan s_guard = TimeSpan.FromMinutes(2);

    private KafkaMockCluster _cluster = null!;
    private string _input = null!;
    private string _output = null!;
    private Dictionary<string, string> _config = null!;
    private StreamFactory _factory = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new KafkaMockCluster(brokers: 1);
        _cluster.SetInitialRebalanceDelay(0);
        _input = "bench-in";
        _output = "bench-out";
        _cluster.CreateTopic(_input, Partitions);
        _cluster.CreateTopic(_output, 1);
        _config = new Dictionary<string, string> { ["fetch.wait.max.ms"] = "10" }; // the mock does not wake a waiting fetch
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, LingerMs = 5 }).Build())
        {
            for (int i = 0; i < Records; i++)
            {
                producer.Produce(new TopicPartition(_input, i % Partitions), new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(IrisData.Lines[i % IrisData.Lines.Length]) });
            }

            producer.Flush(s_guard);
        }

        var options = new StreamFactoryOptions().AddKafka(k => k.ForwardClientLogs = false);
        _factory = new StreamFactory(options);
    }

    [GlobalCleanup]
    public void Cleanup() => _cluster.Dispose();

    /// <summary>Confluent.Kafka alone: consume each message and produce its bytes, then wait for every delivery report.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long RawPassThrough()
    {
        var consumerConfig = new ConsumerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = NewGroup(),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
        };
        var producerConfig = new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, Acks = Acks.All, EnableIdempotence = true, LingerMs = 5, DeliveryReportFields = "status" };
        long delivered = 0;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(consumerConfig).Build();
        using var producer = new ProducerBuilder<Null, byte[]>(producerConfig).Build();
        Action<DeliveryReport<Null, byte[]>> onDelivery = r =>
        {
            if (!r.Error.IsError)
            {
                Interlocked.Increment(ref delivered);
            }
        };
        var target = new TopicPartition(_output, 0);
        consumer.Subscribe(_input);
        for (int read = 0; read < Records;)
        {
            ConsumeResult<Ignore, byte[]>? result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("the pass-through stalled");
            producer.Produce(target, new Message<Null, byte[]> { Value = result.Message.Value }, onDelivery);
            read++;
        }

        producer.Flush(s_guard);
        consumer.Commit();
        consumer.Close();
        return Interlocked.Read(ref delivered) == Records ? Records : throw new InvalidOperationException($"{delivered} of {Records} delivered");
    }

    /// <summary>The engine: Kafka input (consumer group) → json decode + schema check → identity model → json encode + check → Kafka output.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long EnginePipeline() => RunEngineAsync().GetAwaiter().GetResult();

    private async Task<long> RunEngineAsync()
    {
        var model = new IdentityModel(Records);
        await using var engine = new ScoringEngine(_factory);
        engine.LoadModel(model);
        engine.Attach(0, new StreamDescriptor
        {
            Transport = new KafkaTransportDescriptor { BootstrapServers = [_cluster.BootstrapServers], Topic = _input, Group = NewGroup(), MaxWaitTime = null, Config = _config },
            SkipToRecord = RecordPosition.Earliest,
            Encoding = EncodingDescriptor.Json,
            Schema = SchemaReference.Inline(IrisData.InputSchema),
        });
        engine.Attach(1, new StreamDescriptor
        {
            Transport = new KafkaTransportDescriptor { BootstrapServers = [_cluster.BootstrapServers], Topic = _output, Config = _config },
            Encoding = EncodingDescriptor.Json,
            Schema = SchemaReference.Inline(IrisData.InputSchema),
        });
        await model.AllSeen.WaitAsync(s_guard).ConfigureAwait(false);
        EngineState final = await engine.StopAsync().WaitAsync(s_guard).ConfigureAwait(false); // flushes: every delivery report is in
        SlotInspection written = engine.Inspect().Slots.Single(s => s.Slot == 1);
        return final == EngineState.Finished && written.Records == Records
            ? written.Records
            : throw new InvalidOperationException($"engine {final}: {written.Records} of {Records} written; {engine.Inspect().Error}");
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<long> InputOnly()
    {
        await using InputStream input = _factory.CreateInput(new StreamDescriptor
        {
            Transport = new KafkaTransportDescriptor { BootstrapServers = [_cluster.BootstrapServers], Topic = _input, Group = NewGroup(), MaxWaitTime = null, Config = _config },
            SkipToRecord = RecordPosition.Earliest,
            Encoding = EncodingDescriptor.Json,
            Schema = SchemaReference.Inline(IrisData.InputSchema),
        });
        long n = 0;
        while (n < Records && await input.ReadBatchAsync() is { } batch)
        {
            n += batch.Count;
            await input.AcknowledgeAsync(batch);
            batch.Dispose();
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<long> OutputOnly()
    {
        await using OutputStream output = _factory.CreateOutput(new StreamDescriptor
        {
            Transport = new KafkaTransportDescriptor { BootstrapServers = [_cluster.BootstrapServers], Topic = _output, Config = _config },
            Encoding = EncodingDescriptor.Json,
            Schema = SchemaReference.Inline(IrisData.InputSchema),
        });
        var record = new IrisRecord { SepalLength = 1, SepalWidth = 2, PetalLength = 3, PetalWidth = 4 };
        for (int i = 0; i < Records; i++)
        {
            await output.WriteAsync(record);
        }

        await output.CompleteAsync();
        return output.Counters.Records;
    }

    private static string NewGroup() => "bench-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    /// <summary>Emits every input unchanged; completes <see cref="AllSeen"/> after the expected count.</summary>
    private sealed class IdentityModel(int expected) : IModel<IrisRecord, IrisRecord>
    {
        private readonly TaskCompletionSource _allSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public Task AllSeen => _allSeen.Task;

        public ValueTask ActionAsync(IrisRecord input, RecordContext context, IModelOutput<IrisRecord> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            if (++_seen == expected)
            {
                _allSeen.TrySetResult();
            }

            return default;
        }
    }
}
