using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;
using FastScore.Streams.Tests.Engine;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Pipeline;

/// <summary>
/// The fast paths are overridable members of the base types, not type tests: an encoding of anyone's that overrides
/// <see cref="RecordEncoding.CreateCheckingDecoder{T}"/> or <see cref="RecordEncoding.CreateValidEncoder{T}"/>, and a
/// framer that overrides <see cref="Framer.TryFrameSpan"/>, are used by the streams; a checker with rules of its own is never bypassed.
/// </summary>
public sealed class FastPathHookTests
{
    private static readonly StreamDescriptor Descriptor = new()
    {
        Transport = new DiscardTransportDescriptor(), Envelope = new DelimitedEnvelopeDescriptor(), Encoding = EncodingDescriptor.Utf8, Schema = SchemaReference.None,
    };

    [Test]
    public async Task An_encodings_checking_decoder_stands_in_for_the_check_of_the_records_it_proves_valid()
    {
        var encoding = new DigitsEncoding();
        var checker = new CountingChecker(DigitsEncoding.Standard);
        var rejected = new List<RejectedRecord>();
        await using InputStream input = Input("12\n7x\n345\n", new SpanCountingFramer(), encoding, checker, rejected);

        List<int> values = await ReadAll<int>(input);

        Assert.Multiple(() =>
        {
            Assert.That(values, Is.EqualTo(new[] { 12, 345 }));
            Assert.That(encoding.Proven, Is.EqualTo(2), "the decoder proved the two digit records valid");
            Assert.That(checker.Checked, Is.EqualTo(new[] { "7x" }), "only the record it declined was checked");
            Assert.That(rejected.Select(r => (r.RecordNumber, r.Kind)), Is.EqualTo(new[] { (2L, RejectionKind.Schema) }));
        });
    }

    [Test]
    public async Task A_checker_with_rules_of_its_own_is_called_for_every_record()
    {
        var encoding = new DigitsEncoding();
        var checker = new CountingChecker(standard: null); // says nothing about what it checks
        await using InputStream input = Input("12\n345\n", new SpanCountingFramer(), encoding, checker, []);

        List<int> values = await ReadAll<int>(input);

        Assert.Multiple(() =>
        {
            Assert.That(values, Is.EqualTo(new[] { 12, 345 }));
            Assert.That(encoding.Proven, Is.Zero, "the encoding is not asked to trust a checker that describes no standard check");
            Assert.That(checker.Checked, Is.EqualTo(new[] { "12", "345" }));
        });
    }

    [Test]
    public async Task A_framer_that_frames_spans_is_asked_first_and_frames_as_TryReadFrame_would()
    {
        var framer = new SpanCountingFramer();
        await using InputStream input = Input("a\nbb\n\nccc", framer, new DigitsEncoding(), new CountingChecker(null), []);

        List<string> values = await ReadAll<string>(input);

        Assert.Multiple(() =>
        {
            Assert.That(values, Is.EqualTo(new[] { "a", "bb", "", "ccc" }));
            Assert.That(framer.SpanFrames, Is.EqualTo(3), "the records wholly inside the buffer, each with its separator");
            Assert.That(framer.ReaderFrames, Is.EqualTo(1), "the last record has no separator: TryReadFrame decides");
        });
    }

    [Test]
    public async Task An_encodings_valid_encoder_writes_records_that_are_not_checked_again()
    {
        var encoding = new DigitsEncoding();
        var checker = new CountingChecker(DigitsEncoding.Standard);
        var output = new CollectingOutput();
        await using var stream = new OutputStream(Descriptor, "out", 1, output, null, encoding, checker, null, null, 1024, 4);
        OutputBatch batch = stream.CreateBatch();

        Assert.Multiple(() =>
        {
            Assert.That(stream.TryAdd(batch, 12), Is.True);
            Assert.That(stream.TryAdd(batch, -3), Is.False, "declined by the valid encoder, encoded, then rejected by the check");
            Assert.That(stream.TryAdd(batch, 345), Is.True);
        });

        await stream.WriteAsync(batch);
        await stream.CompleteAsync();
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "12", "345" }));
            Assert.That(encoding.Written, Is.EqualTo(2));
            Assert.That(checker.Checked, Is.EqualTo(new[] { "-3" }));
            Assert.That(stream.Counters.RejectedBySchema, Is.EqualTo(1));
        });
    }

    private static InputStream Input(string text, Framer framer, RecordEncoding encoding, SchemaChecker checker, List<RejectedRecord> rejected) =>
        new(Descriptor, "in", 0, new BytesInput(Encoding.UTF8.GetBytes(text)), framer, encoding, checker, null, r => rejected.Add(r), 1024, 4);

    private static async Task<List<T>> ReadAll<T>(InputStream input)
    {
        var values = new List<T>();
        await foreach (T value in input.ReadAllAsync<T>())
        {
            values.Add(value);
        }

        return values;
    }

    /// <summary>Records of ASCII text; the standard check (see <see cref="Standard"/>) accepts digits only. Its fast paths count what they take.</summary>
    private sealed class DigitsEncoding : RecordEncoding
    {
        public static readonly StandardCheck Standard = new("digits", null);

        public int Proven;

        public int Written;

        public override string? Name => "digits";

        public override T Decode<T>(ReadOnlySpan<byte> record) =>
            typeof(T) == typeof(int) ? (T)(object)int.Parse(record, provider: null) : (T)(object)Encoding.ASCII.GetString(record);

        public override void Encode<T>(T value, IBufferWriter<byte> output) => output.Write(Encoding.ASCII.GetBytes(value!.ToString()!));

        internal override CheckingDecoder<T>? CreateCheckingDecoder<T>(SchemaChecker checker) =>
            typeof(T) == typeof(int) && checker.Standard == Standard ? (CheckingDecoder<T>)(object)new DigitsDecoder(this) : null;

        internal override ValidEncoder<T>? CreateValidEncoder<T>(SchemaChecker checker) =>
            typeof(T) == typeof(int) && checker.Standard == Standard ? (ValidEncoder<T>)(object)new DigitsWriter(this) : null;

        private sealed class DigitsDecoder(DigitsEncoding owner) : CheckingDecoder<int>
        {
            public override bool TryDecodeValid(ReadOnlySpan<byte> record, out int value)
            {
                value = 0;
                if (record.IsEmpty || record.ContainsAnyExceptInRange((byte)'0', (byte)'9') || !int.TryParse(record, out value))
                {
                    return false;
                }

                owner.Proven++;
                return true;
            }
        }

        private sealed class DigitsWriter(DigitsEncoding owner) : ValidEncoder<int>
        {
            public override bool TryEncodeValid(int value, IBufferWriter<byte> output)
            {
                if (value < 0)
                {
                    return false;
                }

                output.Write(Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                owner.Written++;
                return true;
            }
        }
    }

    /// <summary>Accepts digits only; remembers what it checked.</summary>
    private sealed class CountingChecker(StandardCheck? standard) : SchemaChecker
    {
        public List<string> Checked { get; } = [];

        internal override StandardCheck? Standard => standard;

        public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
        {
            Checked.Add(Encoding.ASCII.GetString(record));
            bool valid = standard is null || (!record.IsEmpty && !record.ContainsAnyExceptInRange((byte)'0', (byte)'9'));
            rejection = valid ? default : new RecordRejection(RejectionKind.Schema, "not digits");
            return valid;
        }
    }

    /// <summary>Newline-delimited records, counting which way each was framed.</summary>
    private sealed class SpanCountingFramer() : Framer(1024, OversizePolicy.Reject)
    {
        private readonly DelimitedFramer _inner = new("\n", 1024, OversizePolicy.Reject);

        public int SpanFrames { get; private set; }

        public int ReaderFrames { get; private set; }

        protected internal override bool CanFrameSpans => true;

        protected internal override int TryFrameSpan(ReadOnlySpan<byte> span, out int consumed)
        {
            consumed = 0;
            int index = span.IndexOf((byte)'\n');
            if (index < 0)
            {
                return -1;
            }

            consumed = index + 1;
            SpanFrames++;
            return index;
        }

        public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
        {
            FrameStatus status = _inner.TryReadFrame(ref reader, isFinalBlock, out frame);
            if (status == FrameStatus.Frame)
            {
                ReaderFrames++;
            }

            return status;
        }

        public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output) => _inner.WriteFrame(record, output);
    }

    /// <summary>A byte input over fixed bytes.</summary>
    private sealed class BytesInput(byte[] bytes) : ByteInputTransport
    {
        public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken) =>
            ValueTask.FromResult(PipeReader.Create(new ReadOnlySequence<byte>(bytes, (int)offset, bytes.Length - (int)offset)));
    }
}
