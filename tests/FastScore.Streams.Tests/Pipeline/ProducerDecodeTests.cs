using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Pipeline;

/// <summary>An input stream can decode records on its producer task: batches then carry the values, and a record that cannot be decoded is rejected there.</summary>
public sealed class ProducerDecodeTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-decode-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private (InputStream Input, List<RejectedRecord> Rejected) Open(params string[] lines)
    {
        string path = Path.Combine(_dir, "in.jsons");
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
        var rejected = new List<RejectedRecord>();
        InputStream input = new StreamFactory().CreateInput(
            new StreamDescriptor { Transport = new FileTransportDescriptor { Path = path }, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = EncodingDescriptor.Json, Schema = SchemaReference.None },
            new StreamOpenOptions { Name = "in", Slot = 0, OnRejected = r => { lock (rejected) { rejected.Add(r); } } });
        return (input, rejected);
    }

    [Test]
    public async Task Batches_carry_the_decoded_values_and_TryDecode_returns_them()
    {
        (InputStream input, List<RejectedRecord> rejected) = Open("1", "\"x\"", "3", """{"$fastscore": "set"}""", "5");
        await using (input)
        {
            input.DecodeOnProducer(new RecordDecoder<int>(input.Encoding));
            using RecordBatch batch = (await input.ReadBatchAsync())!;
            Assert.That(batch.Values, Is.InstanceOf<DecodedValues<int>>());
            var values = new List<(long, int)>();
            for (int i = 0; i < batch.Count; i++)
            {
                if (batch.GetControl(i).Kind == FastScore.Streams.Encodings.ControlKind.None)
                {
                    Assert.That(input.TryDecode(batch, i, out int value), Is.True);
                    values.Add((batch.GetSequenceNumber(i), value));
                }
            }

            Assert.Multiple(() =>
            {
                Assert.That(batch.Count, Is.EqualTo(4), "three data records and the control record; the rejected one is gone");
                Assert.That(values, Is.EqualTo(new[] { (1L, 1), (3L, 3), (4L, 5) }));
                Assert.That(rejected.Select(r => (r.StreamName, r.Slot, r.RecordNumber, r.Kind, r.Position, r.Preview)),
                    Is.EqualTo(new[] { ("in", 0, 2L, RejectionKind.Encoding, (string?)"byte 2", "\"x\"") }));
                Assert.That(input.Counters.RejectedByEncoding, Is.EqualTo(1));
                Assert.That(input.Counters.Records, Is.EqualTo(3));
            });
        }
    }

    [Test]
    public async Task Decoding_for_another_type_still_works_on_a_decoded_batch()
    {
        (InputStream input, _) = Open("1", "2");
        await using (input)
        {
            input.DecodeOnProducer(new RecordDecoder<int>(input.Encoding));
            using RecordBatch batch = (await input.ReadBatchAsync())!;
            Assert.Multiple(() =>
            {
                Assert.That(input.TryDecode(batch, 1, out JsonElement element), Is.True);
                Assert.That(element.GetInt32(), Is.EqualTo(2));
            });
        }
    }

    [Test]
    public async Task ReadAllAsync_rejects_records_that_cannot_be_decoded_and_counts_them()
    {
        (InputStream input, List<RejectedRecord> rejected) = Open("1", "\"x\"", "3");
        await using (input)
        {
            var values = new List<int>();
            await foreach (int value in input.ReadAllAsync<int>())
            {
                values.Add(value);
            }

            Assert.Multiple(() =>
            {
                Assert.That(values, Is.EqualTo(new[] { 1, 3 }));
                Assert.That(rejected.Single().RecordNumber, Is.EqualTo(2));
                Assert.That(input.Counters.Records, Is.EqualTo(2));
                Assert.That(input.Counters.RejectedByEncoding, Is.EqualTo(1));
            });
        }
    }

    [Test]
    public async Task The_decoder_cannot_be_changed_once_reading_started()
    {
        (InputStream input, _) = Open("1");
        await using (input)
        {
            using RecordBatch? batch = await input.ReadBatchAsync();
            Assert.That(() => input.DecodeOnProducer(new RecordDecoder<int>(input.Encoding)), Throws.InvalidOperationException);
        }
    }
}
