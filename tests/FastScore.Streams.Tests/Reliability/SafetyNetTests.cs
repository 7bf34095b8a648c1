using System.Buffers;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// Issue 12, point 1, the last line of defence: whatever a checker, decoder or control-record reader throws for one
/// record (a defect, or a plug-in's own exception) rejects that record alone, by encoding, with the exception as the
/// reason, and the stream goes on. Encodings and checkers are plug-ins (<see cref="StreamFactoryOptions"/>), so these
/// parts throw on purpose for records that contain <c>boom</c>.
/// </summary>
public sealed class SafetyNetTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-safety-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static bool IsBoom(ReadOnlySpan<byte> record) => record.IndexOf("boom"u8) >= 0;

    /// <summary>Raw bytes, but throws for records holding "boom" where <see cref="Where"/> says.</summary>
    private sealed class BoomEncoding(string where) : RecordEncoding
    {
        public override string? Name => null;

        public override T Decode<T>(ReadOnlySpan<byte> record)
        {
            if (where == "decode" && IsBoom(record))
            {
                _ = record[record.Length]; // a defect: reading past the record (IndexOutOfRangeException)
            }

            return (T)(object)Encoding.UTF8.GetString(record);
        }

        public override void Encode<T>(T value, IBufferWriter<byte> output) => output.Write(Encoding.UTF8.GetBytes((string)(object)value!));

        public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control)
        {
            control = default;
            if (where == "control" && IsBoom(record))
            {
                _ = record.Slice(1, record.Length); // a defect: a slice past the end (ArgumentOutOfRangeException)
            }

            return false;
        }

        public override void WriteControl(ControlRecord control, IBufferWriter<byte> output) { }
    }

    private sealed class BoomChecker : SchemaChecker
    {
        public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
        {
            rejection = default;
            return IsBoom(record) ? throw new InvalidOperationException("checker defect") : true;
        }
    }

    private static StreamFactory Factory(string where)
    {
        var options = new StreamFactoryOptions();
        options.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create(EncodingTypes.Null, _ => new BoomEncoding(where)));
        if (where == "check")
        {
            options.Components.Add(FastScore.Streams.Schemas.SchemaCheckerProvider.Create(EncodingTypes.Null, (_, _) => new BoomChecker()));
        }

        return new StreamFactory(options);
    }

    private (InputStream Input, List<RejectedRecord> Rejected) Open(string where)
    {
        string path = Path.Combine(_dir, "in.txt");
        File.WriteAllText(path, "one\nboom\nthree\nboom again\nfive\n");
        var rejected = new List<RejectedRecord>();
        InputStream input = Factory(where).CreateInput(
            new StreamDescriptor { Transport = new FileTransportDescriptor { Path = path }, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = null, Schema = SchemaReference.None },
            new StreamOpenOptions { Name = "in", Slot = 0, OnRejected = r => { lock (rejected) { rejected.Add(r); } } });
        return (input, rejected);
    }

    [TestCase("check", "InvalidOperationException: checker defect", TestName = "A_checker_that_throws_for_a_record_rejects_that_record_and_the_stream_goes_on")]
    [TestCase("decode", "IndexOutOfRangeException", TestName = "A_decoder_that_throws_on_the_producer_task_rejects_that_record_and_the_stream_goes_on")]
    [TestCase("control", "ArgumentOutOfRangeException", TestName = "A_control_record_reader_that_throws_rejects_that_record_and_the_stream_goes_on")]
    public async Task A_part_that_throws_for_one_record_rejects_only_that_record(string where, string reason)
    {
        (InputStream input, List<RejectedRecord> rejected) = Open(where);
        var values = new List<string>();
        await using (input)
        {
            await foreach (string value in input.ReadAllAsync<string>())
            {
                values.Add(value);
            }

            Assert.Multiple(() =>
            {
                Assert.That(values, Is.EqualTo(new[] { "one", "three", "five" }));
                Assert.That(rejected.Select(r => (r.Slot, r.RecordNumber, r.Kind, r.Position)), Is.EqualTo(new[]
                {
                    (0, 2L, RejectionKind.Encoding, (string?)"byte 4"),
                    (0, 4L, RejectionKind.Encoding, (string?)"byte 15"),
                }));
                Assert.That(rejected.Select(r => r.Reason), Has.All.Contain(reason));
                Assert.That((input.Counters.Records, input.Counters.RejectedByEncoding), Is.EqualTo((3L, 2L)));
            });
        }
    }

    [Test]
    public async Task A_decoder_that_throws_when_the_consumer_decodes_rejects_that_record_and_reading_goes_on()
    {
        (InputStream input, List<RejectedRecord> rejected) = Open("decode");
        var values = new List<string>();
        await using (input)
        {
            while (await input.ReadBatchAsync() is { } batch)
            {
                using (batch)
                {
                    for (int i = 0; i < batch.Count; i++)
                    {
                        if (input.TryDecode(batch, i, out string value))
                        {
                            values.Add(value);
                        }
                    }
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(values, Is.EqualTo(new[] { "one", "three", "five" }));
            Assert.That(rejected.Select(r => r.RecordNumber), Is.EqualTo(new[] { 2L, 4L }));
            Assert.That(rejected.Select(r => r.Reason), Has.All.Contain("IndexOutOfRangeException"));
        });
    }

    [Test]
    public async Task An_output_checker_that_throws_for_one_record_rejects_it_and_the_others_are_written()
    {
        string path = Path.Combine(_dir, "out.txt");
        var rejected = new List<RejectedRecord>();
        await using (OutputStream output = Factory("check").CreateOutput(
            new StreamDescriptor { Transport = new FileTransportDescriptor { Path = path }, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = null, Schema = SchemaReference.None },
            new StreamOpenOptions { Name = "out", Slot = 1, OnRejected = rejected.Add }))
        {
            OutputBatch batch = output.CreateBatch();
            bool[] added = [output.TryAdd(batch, "one"), output.TryAdd(batch, "boom"), output.TryAdd(batch, "three")];
            await output.WriteAsync(batch);
            await output.CompleteAsync();
            Assert.That(added, Is.EqualTo(new[] { true, false, true }));
        }

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(path), Is.EqualTo("one\nthree\n"));
            Assert.That(rejected.Select(r => (r.Slot, r.RecordNumber, r.Kind)), Is.EqualTo(new[] { (1, 2L, RejectionKind.Encoding) }));
            Assert.That(rejected[0].Reason, Does.Contain("InvalidOperationException: checker defect"));
        });
    }
}
