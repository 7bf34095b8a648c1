using System.Buffers;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Tests.Pipeline;

/// <summary>
/// An input stream frames delimited records straight from the read buffer when they lie wholly in it, and leaves the
/// rest (records across buffers, oversized records, the last record) to the framer. Whatever the split, it must yield
/// exactly the records the framer yields on the whole file at once.
/// </summary>
public sealed class InputFramingTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-framing-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static List<string> FramedAtOnce(byte[] content, string separator, int maxRecordSize, OversizePolicy policy)
    {
        var framer = new DelimitedFramer(separator, maxRecordSize, policy);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(content));
        var records = new List<string>();
        while (true)
        {
            FrameStatus status = framer.TryReadFrame(ref reader, isFinalBlock: true, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                return records;
            }

            if (status == FrameStatus.Frame)
            {
                records.Add(Encoding.UTF8.GetString(frame));
            }
        }
    }

    private async Task<List<string>> ReadThroughStream(byte[] content, string separator, int maxRecordSize, OversizePolicy policy)
    {
        string path = Path.Combine(_dir, $"in-{Guid.NewGuid():N}.txt");
        await File.WriteAllBytesAsync(path, content);
        var options = new StreamFactoryOptions { MaxBatchRecords = 97 };
        options.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create(EncodingTypes.Null, _ => new TestRawEncoding()));
        var descriptor = new StreamDescriptor
        {
            Transport = new FileTransportDescriptor { Path = path },
            Envelope = new DelimitedEnvelopeDescriptor { Separator = separator, MaxRecordSize = maxRecordSize, OnOversize = policy },
            Encoding = null,
        };
        await using InputStream input = new StreamFactory(options).CreateInput(descriptor);
        var records = new List<string>();
        await foreach (string record in input.ReadAllAsync<string>())
        {
            records.Add(record);
        }

        return records;
    }

    [TestCase("\n", OversizePolicy.Reject, true)]
    [TestCase("\n", OversizePolicy.Truncate, false)]
    [TestCase("\r\n", OversizePolicy.Reject, false)]
    [TestCase("||", OversizePolicy.Truncate, true)]
    public async Task Records_are_the_framers_records_whatever_the_read_buffers(string separator, OversizePolicy policy, bool trailingSeparator)
    {
        // ~300 KiB: several 64 KiB read buffers, records of 0 to 700 bytes, some over the 500-byte limit.
        var random = new Random(separator.Length * 10 + (int)policy);
        var content = new StringBuilder();
        for (int i = 0; i < 1500; i++)
        {
            int length = random.Next(10) == 0 ? 0 : random.Next(1, random.Next(8) == 0 ? 700 : 300);
            content.Append((char)('a' + (i % 26)), length).Append(i).Append(separator);
        }

        content.Append("last");
        if (trailingSeparator)
        {
            content.Append(separator);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(content.ToString());
        List<string> expected = FramedAtOnce(bytes, separator, 500, policy);
        List<string> actual = await ReadThroughStream(bytes, separator, 500, policy);
        Assert.Multiple(() =>
        {
            Assert.That(actual, Has.Count.EqualTo(expected.Count));
            Assert.That(actual, Is.EqualTo(expected));
            Assert.That(expected[^1], Is.EqualTo("last"));
            Assert.That(policy == OversizePolicy.Reject ? 1501 - expected.Count : expected.Count(r => r.Length == 500), Is.GreaterThan(0), "some records are over the limit");
        });
    }

    [Test]
    public async Task With_the_default_options_small_records_come_in_batches_of_up_to_4096_in_order_none_lost()
    {
        // 60,000 rows of 2 to 6 bytes (~340 KiB: several 64 KiB reads): batches hold up to MaxBatchRecords (4096) records
        // and deliver every row once, in order.
        string path = Path.Combine(_dir, "small.txt");
        var content = new StringBuilder();
        for (int i = 0; i < 60_000; i++)
        {
            content.Append(i).Append('\n');
        }

        await File.WriteAllTextAsync(path, content.ToString());
        var options = new StreamFactoryOptions();
        Assert.That(options.MaxBatchRecords, Is.EqualTo(4096));
        options.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create(EncodingTypes.Null, _ => new TestRawEncoding()));
        var descriptor = new StreamDescriptor
        {
            Transport = new FileTransportDescriptor { Path = path },
            Envelope = new DelimitedEnvelopeDescriptor { Separator = "\n" },
            Encoding = null,
        };
        await using InputStream input = new StreamFactory(options).CreateInput(descriptor);
        var sizes = new List<int>();
        int next = 0;
        while (await input.ReadBatchAsync() is { } batch)
        {
            using (batch)
            {
                sizes.Add(batch.Count);
                for (int i = 0; i < batch.Count; i++)
                {
                    Assert.That(Encoding.ASCII.GetString(batch.GetSpan(i)), Is.EqualTo(next.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    next++;
                }
            }
        }

        Assert.That(next, Is.EqualTo(60_000));
        Assert.That(sizes.Max(), Is.LessThanOrEqualTo(4096));
        Assert.That(sizes.Max(), Is.GreaterThan(1024)); // more than the old default
        Assert.That(sizes.Count, Is.GreaterThanOrEqualTo(60_000 / 4096 + 1));
    }
}
