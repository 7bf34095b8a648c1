using System.Text.Json;
using Avro.Generic;
using Confluent.Kafka;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>Issue 14 point 6: Kafka messages in avro-binary (one Avro value per message, no envelope), through the engine and back.</summary>
[Category("Integration")]
public sealed class AvroBinaryKafkaTests
{
    private const string Schema = """
        {"type":"record","name":"Iris","fields":[
          {"name":"sepal_length","type":"double"},{"name":"petal_width","type":["null","double"]},{"name":"species","type":"string"}]}
        """;

    private static readonly Avro.RecordSchema s_schema = (Avro.RecordSchema)Avro.Schema.Parse(Schema);

    private static GenericRecord Record(int i)
    {
        var r = new GenericRecord(s_schema);
        r.Add("sepal_length", 4.5 + i / 8.0);
        r.Add("petal_width", i % 4 == 0 ? null : (object)(i / 4.0));
        r.Add("species", i % 2 == 0 ? "setosa" : "virginica");
        return r;
    }

    private static byte[] Encode(GenericRecord record)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(s_schema).Write(record, new Avro.IO.BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static GenericRecord Decode(byte[] bytes) =>
        new GenericDatumReader<GenericRecord>(s_schema, s_schema).Read(null!, new Avro.IO.BinaryDecoder(new MemoryStream(bytes)));

    private static StreamDescriptor AvroStream(KafkaTransportDescriptor transport) => new()
    {
        Transport = transport,
        SkipToRecord = RecordPosition.Earliest,
        Envelope = null,
        Encoding = EncodingDescriptor.AvroBinary,
        Schema = SchemaReference.Inline(Schema),
    };

    [Test]
    public async Task Avro_binary_messages_go_through_the_engine_and_a_bad_message_is_rejected_with_its_offset()
    {
        KafkaTestCluster cluster = KafkaTestCluster.Shared;
        string input = cluster.CreateUniqueTopic("avro-in", partitions: 1);
        string output = cluster.CreateUniqueTopic("avro-out", partitions: 1);
        var messages = Enumerable.Range(0, 50).Select(i => Encode(Record(i))).ToList();
        messages.Insert(10, [0x02, 0x00]); // offset 10: not an Iris record (truncated)
        using (IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(cluster.ProducerConfig()).Build())
        {
            foreach (byte[] message in messages)
            {
                producer.Produce(new TopicPartition(input, 0), new Message<Null, byte[]> { Value = message });
            }

            producer.Flush(KafkaStreams.Guard);
        }

        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(new IdentityModel());
        engine.Attach(0, AvroStream(KafkaStreams.Transport(cluster, input, KafkaTestCluster.UniqueName("avro"))));
        engine.Attach(1, AvroStream(KafkaStreams.Transport(cluster, output)));
        EngineState final = await engine.Completion.WaitAsync(KafkaStreams.Guard);
        EngineInspection inspection = engine.Inspect();

        using IConsumer<Ignore, byte[]> consumer = new ConsumerBuilder<Ignore, byte[]>(cluster.ConsumerConfig(KafkaTestCluster.UniqueName("check"))).Build();
        consumer.Assign(new TopicPartitionOffset(output, 0, Offset.Beginning));
        List<GenericRecord> scored = [.. consumer.ConsumeExactly(50, KafkaStreams.Guard).Select(r => Decode(r.Message.Value))];

        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), inspection.Error);
            Assert.That(scored, Is.EqualTo(Enumerable.Range(0, 50).Select(Record).ToList()));
            RejectedRecord rejection = inspection.Rejections.Single();
            Assert.That(rejection.Position, Is.EqualTo($"{input}/0@10"));
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Encoding));
            Assert.That(rejection.Reason, Does.Contain("truncated"));
            Assert.That(rejection.Slot, Is.EqualTo(0));
        });
    }

    private sealed class IdentityModel : IModel<JsonElement, JsonElement>
    {
        public ValueTask ActionAsync(JsonElement input, RecordContext context, IModelOutput<JsonElement> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }
}
