using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Pipeline;

/// <summary>
/// Delimited outputs now keep their records framed in the batch buffer and write the whole buffer
/// (<c>OutputBatch.Framed</c>): bytes left in the buffer outside any record must not reach the output.
/// </summary>
public sealed class FramedOutputTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-framed-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A value whose serialization fails half way (a computed property throws), after the serializer has committed some bytes.</summary>
    public sealed class Exploding
    {
        public string Big { get; set; } = new('x', 40_000); // longer than the batch buffer: the writer commits what it has before growing

        public double Boom => Big.Length > 0 ? throw new TimeoutException("boom") : 0; // any exception the stream does not catch
    }

    public sealed class Plain
    {
        public int A { get; set; }
    }

    [Test]
    public async Task Bytes_of_a_value_whose_encoding_threw_are_not_written_with_the_batch()
    {
        string path = Path.Combine(_dir, "out.jsonl");
        var factory = new StreamFactory(new StreamFactoryOptions());
        await using OutputStream output = factory.CreateOutput(new StreamDescriptor
        {
            Transport = new FileTransportDescriptor { Path = path },
            Envelope = new DelimitedEnvelopeDescriptor(),
            Encoding = EncodingDescriptor.Json,
        });

        OutputBatch batch = output.CreateBatch();

        // The model's Emit throws (the engine reports a model failure and, by its error policy, goes on with the same batch).
        Assert.Throws<TimeoutException>(() => output.TryAdd(batch, new Exploding()));
        Assert.That(output.TryAdd(batch, new Plain { A = 1 }), Is.True);
        await output.WriteAsync(batch);
        await output.CompleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(path), Is.EqualTo("{\"A\":1}\n"), "only the record that was added is written");
            Assert.That(output.Counters.Records, Is.EqualTo(1));
        });
    }
}
