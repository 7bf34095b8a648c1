using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Pipeline;

/// <summary>
/// An input stream skips through an oversized record with bounded memory: it reads a 20 MiB record through a reader
/// that records the largest buffer the stream ever held, which must stay near MaxRecordSize.
/// </summary>
public sealed class OversizedInputTests
{
    private const int MaxRecordSize = 64 * 1024;

    /// <summary>A byte input over the given bytes, read through a <see cref="MeasuringReader"/>.</summary>
    private sealed class MeasuredProvider(Func<Stream> open) : TransportProvider
    {
        public MeasuringReader? Reader { get; private set; }

        private Stream Open() => open();

        public override string Type => "measured";

        public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) => new Input(this);

        private sealed class Input(MeasuredProvider provider) : ByteInputTransport
        {
            public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
            {
                provider.Reader = new MeasuringReader(PipeReader.Create(provider.Open(), new StreamPipeReaderOptions(bufferSize: 16 * 1024)));
                return ValueTask.FromResult<PipeReader>(provider.Reader);
            }
        }
    }

    /// <summary>Passes reads through and records the largest buffer handed to the stream (what it kept unconsumed plus the new bytes).</summary>
    private sealed class MeasuringReader(PipeReader inner) : PipeReader
    {
        public long MaxBuffered { get; private set; }

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            ReadResult result = await inner.ReadAsync(cancellationToken);
            MaxBuffered = Math.Max(MaxBuffered, result.Buffer.Length);
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            bool read = inner.TryRead(out result);
            if (read)
            {
                MaxBuffered = Math.Max(MaxBuffered, result.Buffer.Length);
            }

            return read;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }

    /// <summary>300 short records, one 20 MiB record, 400 short records, written to a temp file.</summary>
    private static string WriteInput(string dir, out long hugeOffset)
    {
        string path = Path.Combine(dir, "in.txt");
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        for (int i = 1; i <= 300; i++)
        {
            file.Write(Encoding.UTF8.GetBytes($"r{i}\n"));
        }

        hugeOffset = file.Position;
        byte[] chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)'x');
        for (int i = 0; i < 20; i++)
        {
            file.Write(chunk);
        }

        file.Write("\n"u8);
        for (int i = 301; i <= 700; i++)
        {
            file.Write(Encoding.UTF8.GetBytes($"r{i}\n"));
        }

        return path;
    }

    [Test]
    public async Task An_oversized_record_is_skipped_with_bounded_buffering_rejected_with_its_position_and_reading_goes_on()
    {
        string dir = Directory.CreateTempSubdirectory("fss-oversize-").FullName;
        try
        {
            string path = WriteInput(dir, out long offset);
            var provider = new MeasuredProvider(() => System.IO.File.OpenRead(path));
            var options = new StreamFactoryOptions { MaxBatchRecords = 64 };
            options.Components.Add(provider);
            options.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create(EncodingTypes.Null, _ => new TestRawEncoding()));
            using JsonDocument fields = JsonDocument.Parse("""{"Type":"measured"}""");
            var descriptor = new StreamDescriptor
            {
                Transport = new CustomTransportDescriptor("measured", fields.RootElement, preservesRecordBoundaries: false, isSeekable: false, canRead: true, canWrite: false),
                Envelope = new DelimitedEnvelopeDescriptor { MaxRecordSize = MaxRecordSize },
                Encoding = null,
            };
            var rejected = new List<RejectedRecord>();
            var records = new List<string>();
            await using (InputStream input = new StreamFactory(options).CreateInput(descriptor, new StreamOpenOptions { Name = "in", Slot = 0, OnRejected = rejected.Add }))
            {
                await foreach (string record in input.ReadAllAsync<string>())
                {
                    records.Add(record);
                }

                Assert.Multiple(() =>
                {
                    Assert.That(records, Is.EqualTo(Enumerable.Range(1, 700).Select(i => $"r{i}").ToArray()));
                    Assert.That((input.Counters.Records, input.Counters.RejectedByEncoding, input.Counters.Oversized), Is.EqualTo((700L, 1L, 1L)));
                    Assert.That(rejected.Select(r => (r.Slot, r.RecordNumber, r.Kind, r.Position)), Is.EqualTo(new[] { (0, 301L, RejectionKind.Encoding, (string?)$"byte {offset}") }));
                    Assert.That(rejected[0].Reason, Is.EqualTo($"the record is longer than MaxRecordSize ({MaxRecordSize} bytes)"));
                    Assert.That(provider.Reader!.MaxBuffered, Is.LessThanOrEqualTo(MaxRecordSize + 64 * 1024), "never more than MaxRecordSize and a few reads, not the 20 MiB record");
                });
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
