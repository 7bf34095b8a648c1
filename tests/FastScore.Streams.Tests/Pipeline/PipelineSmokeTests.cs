using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Pipeline;

public sealed class PipelineSmokeTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static StreamFactory Factory()
    {
        var options = new StreamFactoryOptions();
        options.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create(EncodingTypes.Null, _ => new TestRawEncoding()));
        return new StreamFactory(options);
    }

    [Test]
    public async Task File_lines_are_read_and_written_back_through_the_pipeline()
    {
        string input = Path.Combine(_dir, "in.txt");
        string output = Path.Combine(_dir, "out.txt");
        string[] lines = Enumerable.Range(1, 5000).Select(i => $"record-{i}").ToArray();
        await File.WriteAllTextAsync(input, string.Join("\n", lines) + "\n");
        StreamFactory factory = Factory();
        var inDescriptor = new StreamDescriptor { Transport = new FileTransportDescriptor { Path = input }, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = null };
        var outDescriptor = new StreamDescriptor { Transport = new FileTransportDescriptor { Path = output }, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = null };

        await using InputStream reader = factory.CreateInput(inDescriptor);
        await using OutputStream writer = factory.CreateOutput(outDescriptor);
        var seen = new List<string>();
        await foreach (string line in reader.ReadAllAsync<string>())
        {
            seen.Add(line);
            await writer.WriteAsync(line.ToUpperInvariant());
        }

        await writer.CompleteAsync();
        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo(lines));
            Assert.That(File.ReadAllLines(output), Is.EqualTo(lines.Select(l => l.ToUpperInvariant())));
            Assert.That(reader.Counters.Records, Is.EqualTo(5000));
            Assert.That(writer.Counters.Records, Is.EqualTo(5000));
            Assert.That(reader.IsEndOfStream, Is.True);
        });
    }

    [Test]
    public async Task Batches_are_framed_by_the_stream_that_writes_them_whoever_created_them()
    {
        // A delimited output's batches hold their records framed (record + separator); a batch made by another
        // stream, with another separator, is framed again by the stream that writes it.
        string crlf = Path.Combine(_dir, "crlf.txt");
        string pipes = Path.Combine(_dir, "pipes.txt");
        StreamFactory factory = Factory();
        await using OutputStream first = factory.CreateOutput(new StreamDescriptor { Transport = new FileTransportDescriptor { Path = crlf }, Envelope = new DelimitedEnvelopeDescriptor { Separator = "\r\n" }, Encoding = null });
        await using OutputStream second = factory.CreateOutput(new StreamDescriptor { Transport = new FileTransportDescriptor { Path = pipes }, Envelope = new DelimitedEnvelopeDescriptor { Separator = "|" }, Encoding = null });
        OutputBatch own = first.CreateBatch();
        OutputBatch foreign = first.CreateBatch();
        foreach (string record in new[] { "a", "", "bc" })
        {
            Assert.That(first.TryAdd(own, record), Is.True);
            Assert.That(first.TryAdd(foreign, record), Is.True);
        }

        await first.WriteAsync(own);
        await second.WriteAsync(foreign);
        await first.CompleteAsync();
        await second.CompleteAsync();
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(crlf), Is.EqualTo("a\r\n\r\nbc\r\n"));
            Assert.That(File.ReadAllText(pipes), Is.EqualTo("a||bc|"));
            Assert.That(first.Counters.Records, Is.EqualTo(3));
            Assert.That(first.Counters.Bytes, Is.EqualTo(3));
            Assert.That(second.Counters.Bytes, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task A_looping_inline_array_repeats_its_records()
    {
        var d = new StreamDescriptor
        {
            Transport = new InlineTransportDescriptor { Items = [new byte[] { 97 }, new byte[] { 98 }] },
            Envelope = null,
            Encoding = null,
            Loop = true,
        };
        await using InputStream reader = Factory().CreateInput(d);
        var seen = new List<string>();
        await foreach (string s in reader.ReadAllAsync<string>())
        {
            seen.Add(s);
            if (seen.Count == 7)
            {
                break;
            }
        }

        Assert.That(seen, Is.EqualTo(new[] { "a", "b", "a", "b", "a", "b", "a" }));
    }
}
