using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FastScore.Streams.Tests.DependencyInjection;

/// <summary>A third-party transport registered with AddTransport is readable by name in descriptors and used by the factory.</summary>
public sealed class CustomTransportTests
{
    private static IConfiguration Configuration(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Test]
    public async Task A_transport_added_with_AddTransport_is_parseable_by_name_and_used_by_the_factory()
    {
        var queues = new QueueTransportProvider();
        queues.Queues["jobs"] = new ConcurrentQueue<byte[]>(new[] { "{\"id\": 1}", "{\"id\": 2}" }.Select(Encoding.UTF8.GetBytes));
        IConfiguration configuration = Configuration("""
            {"Streams": {
              "jobs": {"Transport": {"Type": "Queue", "Name": "jobs"}, "Encoding": "json"},
              "done": {"Transport": {"Type": "queue", "Name": "done"}, "Envelope": null, "Encoding": "json"}
            }}
            """);
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddTransport(queues).AddStreamsFromConfiguration(configuration.GetSection("Streams"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        StreamCatalog catalog = provider.GetRequiredService<StreamCatalog>();

        var jobs = (CustomTransportDescriptor)catalog.GetDescriptor("jobs").Transport;
        Assert.Multiple(() =>
        {
            Assert.That(jobs.Type, Is.EqualTo("queue"));
            Assert.That(jobs.Fields.GetProperty("Name").GetString(), Is.EqualTo("jobs"));
            Assert.That(jobs.PreservesRecordBoundaries, Is.True);
            Assert.That(catalog.GetDescriptor("jobs").Envelope, Is.Null, "a record-preserving transport defaults to no envelope");
        });

        await using (InputStream input = catalog.CreateInput("jobs"))
        await using (OutputStream output = catalog.CreateOutput("done"))
        {
            await foreach (Job job in input.ReadAllAsync<Job>())
            {
                await output.WriteAsync(job with { done = true });
            }

            await output.CompleteAsync();
            Assert.That(input.TransportDisplayName, Is.EqualTo("queue jobs"));
        }

        Assert.That(queues.Queues["done"].Select(Encoding.UTF8.GetString), Is.EqualTo(new[] { """{"id":1,"done":true}""", """{"id":2,"done":true}""" }));
    }

    [Test]
    public void The_provider_capabilities_become_the_descriptor_rules()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddTransport(new QueueTransportProvider())
            .AddStream("framed", d => d.UseTransport(new CustomTransportDescriptor("queue", JsonDocument.Parse("""{"Type": "queue", "Name": "q"}""").RootElement, true, false)).UseEnvelope("delimited"));
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<StreamDescriptorOptions>().Components.TryGetTransport("queue", out var queue) ? queue : null, Is.InstanceOf<QueueTransportProvider>());
            Assert.That(() => provider.GetRequiredService<StreamCatalog>(),
                Throws.TypeOf<DescriptorException>().With.Property(nameof(DescriptorException.Errors)).Some.Property(nameof(DescriptorError.Path)).StartsWith("Envelope"));
        });
    }

    [Test]
    public void Without_AddTransport_the_type_name_is_not_readable()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStreamsFromConfiguration(Configuration("""{"S": {"jobs": {"Transport": {"Type": "queue"}}}}""").GetSection("S"));
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<DescriptorException>(() => provider.GetRequiredService<StreamCatalog>());
        Assert.That(ex!.Message, Does.Contain("'queue'").And.Contain("S:jobs"));
    }

    [Test]
    public void A_provider_registered_under_a_known_name_replaces_it()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddTransport(new FakeKafkaProvider());
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<StreamDescriptorOptions>().Components, Is.SameAs(provider.GetRequiredService<StreamFactory>().Options.Components), "one registry");
            Assert.That(provider.GetRequiredService<StreamFactory>().Options.Components.TryGetTransport("kafka", out var kafka) ? kafka : null, Is.InstanceOf<FakeKafkaProvider>());
        });
    }

    private sealed record Job(int id, bool done = false);

    private sealed class FakeKafkaProvider : TransportProvider
    {
        public override string Type => "kafka";
    }

    /// <summary>A "queue" transport: named in-memory queues of messages, one record per message.</summary>
    private sealed class QueueTransportProvider : TransportProvider
    {
        public ConcurrentDictionary<string, ConcurrentQueue<byte[]>> Queues { get; } = new();

        public override string Type => "queue";

        public override bool PreservesRecordBoundaries => true;

        public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) =>
            new Input(Queues.GetOrAdd(QueueName(descriptor), _ => new()), QueueName(descriptor));

        public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) =>
            new Output(Queues.GetOrAdd(QueueName(descriptor), _ => new()));

        private static string QueueName(StreamDescriptor descriptor) =>
            ((CustomTransportDescriptor)descriptor.Transport).Fields.GetProperty("Name").GetString()!;

        private sealed class Input(ConcurrentQueue<byte[]> queue, string name) : MessageInputTransport
        {
            public override string DisplayName => "queue " + name;

            public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken) => default;

            public override ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
            {
                int before = batch.Count;
                while (batch.Count - before < maxMessages && queue.TryDequeue(out byte[]? message))
                {
                    batch.Add(new InputMessage(message));
                }

                return ValueTask.FromResult(batch.Count > before);
            }
        }

        private sealed class Output(ConcurrentQueue<byte[]> queue) : MessageOutputTransport
        {
            public override ValueTask OpenAsync(CancellationToken cancellationToken) => default;

            public override ValueTask FlushAsync(CancellationToken cancellationToken) => default;

            public override ValueTask CompleteAsync(CancellationToken cancellationToken) => default;

            public override ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken)
            {
                foreach (ReadOnlyMemory<byte> message in messages)
                {
                    queue.Enqueue(message.ToArray());
                }

                return default;
            }
        }
    }
}
