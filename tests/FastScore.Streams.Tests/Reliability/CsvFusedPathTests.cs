using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using CsCheck;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// The fused path of a csv input stream (the decoder finds each row's end while it decodes the row,
/// <see cref="Framer.CsvLineRows"/>) against the framer framing every row first (the way before it): on any input, cut
/// into buffers anywhere, the stream delivers the same values, the same rejections (record number, kind, position,
/// reason, bytes) and the same counts, and fails the same way if it fails.
/// </summary>
public sealed class CsvFusedPathTests
{
    public sealed class Row
    {
        public int Id { get; set; }

        public string? Name { get; set; }

        public double Amount { get; set; }

        public bool Active { get; set; }

        public long? Ref { get; set; }

        public float Score { get; set; }
    }

    private const string Schema = """
        {"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"name","type":["null","string"]},{"name":"amount","type":"double"},
        {"name":"active","type":"boolean"},{"name":"ref","type":["null","long"]},{"name":"score","type":"float"}]}
        """;

    private static readonly StreamDescriptor Descriptor = new()
    {
        Transport = new DiscardTransportDescriptor(), Envelope = new DelimitedEnvelopeDescriptor(), Encoding = EncodingDescriptor.Utf8, Schema = SchemaReference.None,
    };

    // Fields of every kind, as text with '"' for the quote and '|' for the delimiter (replaced per format).
    private static readonly Gen<string> s_field = Gen.OneOf(
        Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Int[-999, 999].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => d.ToString("R", CultureInfo.InvariantCulture)),
        Gen.Float[-1e4f, 1e4f].Select(f => f.ToString("R", CultureInfo.InvariantCulture)),
        Gen.OneOf(Gen.Const("true"), Gen.Const("FALSE"), Gen.Const(""), Gen.Const("\"\""), Gen.Const("\"7\""), Gen.Const("\"a|\"\"b\""), Gen.Const("1e5"),
            Gen.Const("x\"y"), Gen.Const("\"open"), Gen.Const("\"c\"d"), Gen.Const("é"), Gen.Const("12345678901"), Gen.Const("\"l\r\nm\""), Gen.Const("\"n\nn\""),
            Gen.Const("a\rb"), Gen.Const("1\r"), Gen.Const("1x"), Gen.Const("-"), Gen.Const("1."), Gen.Const("$fastscore.set"), Gen.Const("\"\r\""), Gen.Const(" 5 ")),
        Gen.String[Gen.Char["09a-.|\"e é\r"], 0, 6]);

    // Rows valid for the schema, so that the fused path is taken often.
    private static readonly Gen<string> s_validRow = Gen.Select(Gen.Int, Gen.String[Gen.Char["a-z |\"é"], 0, 6], Gen.Double[-1e6, 1e6], Gen.Bool, Gen.Long.Nullable(), Gen.Float[-1e3f, 1e3f], Gen.Bool)
        .Select((id, name, amount, active, reference, score, quoted) => string.Join('|',
            id.ToString(CultureInfo.InvariantCulture),
            quoted || name.Contains('|') || name.Contains('"') ? "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : name,
            amount.ToString("R", CultureInfo.InvariantCulture),
            active ? "true" : "false",
            reference?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            score.ToString("R", CultureInfo.InvariantCulture)));

    private static readonly Gen<string> s_row = Gen.Frequency(
        (6, s_validRow),
        (3, s_field.Array[5, 7].Select(fields => string.Join('|', fields))),
        (1, Gen.OneOf(Gen.Const(""), Gen.Const("$fastscore.set|1|2"), Gen.Const("\"$fastscore.pig\""), Gen.Const("\"unbalanced|1|2"))));

    private static readonly Gen<string> s_separator = Gen.Frequency((6, Gen.Const("\r\n")), (3, Gen.Const("\n")), (1, Gen.Const("\r\r\n")), (1, Gen.Const("\n\n")));

    private static readonly (string Delimiter, char Quote)[] s_formats = [(",", '"'), (";", '\''), ("\t", '"'), ("::", '"'), (".", '"')];

    /// <summary>A case: the format, the framer's options, the stream's bytes and where its buffers are cut.</summary>
    public sealed record Input(int Format, bool SkipHeader, bool SkipBlankLines, bool LfOnly, int MaxRecordSize, byte[] Bytes, int[] Cuts)
    {
        public override string ToString() =>
            $"format {Format}, header {SkipHeader}, skip blanks {SkipBlankLines}, \\n {LfOnly}, max {MaxRecordSize}, cuts [{string.Join(',', Cuts)}]: {Encoding.UTF8.GetString(Bytes).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}";
    }

    private static readonly Gen<Input> s_case = Gen.Select(Gen.Int[0, s_formats.Length - 1], Gen.Bool, Gen.Bool, Gen.Bool, Gen.Frequency((4, Gen.Const(4096)), (1, Gen.Const(40)), (1, Gen.Int[1, 80])),
            Gen.Select(s_row, s_separator).Array[0, 12], Gen.Bool, Gen.Int[1, 64].Array[0, 6])
        .Select(ToInput);

    // The case's bytes: an optional header, then the rows with their separators (the last one's only when lastEnds), with
    // the format's delimiter and quote put in for '|' and '"'.
    private static Input ToInput(int format, bool header, bool blanks, bool lfOnly, int max, (string Row, string Separator)[] rows, bool lastEnds, int[] cuts)
    {
        (string delimiter, char quote) = s_formats[format];
        var text = new StringBuilder();
        if (header)
        {
            text.Append(string.Join('|', "id", "name", "amount", "active", "ref", "score")).Append("\r\n");
        }

        for (int i = 0; i < rows.Length; i++)
        {
            text.Append(rows[i].Row);
            if (i < rows.Length - 1 || lastEnds)
            {
                text.Append(rows[i].Separator);
            }
        }

        string csv = text.ToString().Replace("\"", "\u0001", StringComparison.Ordinal).Replace("|", delimiter, StringComparison.Ordinal).Replace('\u0001', quote);
        return new Input(format, header, blanks, lfOnly, max, Encoding.UTF8.GetBytes(csv), cuts);
    }

    // Runs the case with the fused path allowed and with the framer framing every row first: the same values, rejections,
    // counters and error, and the second run takes neither fused way. Returns the first run's rows read by the fused ways.
    private static Outcome RunBothWays(Input c)
    {
        Outcome one = Run(c, fusedAllowed: true);
        Outcome two = Run(c, fusedAllowed: false);
        Assert.That(one.Values, Is.EqualTo(two.Values), c.ToString());
        Assert.That(one.Rejections, Is.EqualTo(two.Rejections), c.ToString());
        Assert.That(one.Counts, Is.EqualTo(two.Counts), c.ToString());
        Assert.That(one.Error, Is.EqualTo(two.Error), c.ToString());
        Assert.That(two.FusedRows + two.ManyRows, Is.Zero);
        return one;
    }

    [Test]
    public void The_fused_path_delivers_what_framing_every_row_first_delivers()
    {
        int fused = 0;
        s_case.Sample(c =>
        {
            Outcome one = RunBothWays(c);
            fused += one.FusedRows + one.ManyRows;
        }, seed: "0N2Yd8gJfPM7", iter: 1200, threads: 1);
        Assert.That(fused, Is.GreaterThan(900), "the fused path is taken for many rows");
    }

    // Short rows (most valid, some quoted, some broken) in larger buffers: the rows the decoder reads many per call
    // (TryDecodeLineRows: the short-row way in one loop) are common.
    private static readonly Gen<string> s_shortValidRow = Gen.Select(Gen.Int[-999, 9999], Gen.String[Gen.Char["a-z |é"], 0, 5], Gen.Int[-9999, 9999], Gen.Bool, Gen.Int[0, 999].Nullable(), Gen.Int[-999, 999], Gen.Bool)
        .Select((id, name, amount, active, reference, score, quoted) => string.Join('|',
            id.ToString(CultureInfo.InvariantCulture),
            quoted || name.Contains('|') ? "\"" + name + "\"" : name,
            (amount / 100.0).ToString(CultureInfo.InvariantCulture),
            active ? "true" : "false",
            reference?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            (score / 10f).ToString(CultureInfo.InvariantCulture)));

    private static readonly Gen<Input> s_shortCase = Gen.Select(Gen.Int[0, s_formats.Length - 1], Gen.Bool, Gen.Bool, Gen.Bool, Gen.Frequency((6, Gen.Const(4096)), (1, Gen.Int[10, 40])),
            Gen.Select(Gen.Frequency((12, s_shortValidRow), (2, s_field.Array[5, 7].Select(fields => string.Join('|', fields))), (1, Gen.OneOf(Gen.Const(""), Gen.Const("$fastscore.set|1|2"), Gen.Const("\"$fastscore.pig\"")))), s_separator).Array[0, 40],
            Gen.Bool, Gen.Int[1, 700].Array[0, 4])
        .Select(ToInput);

    [Test]
    public void Rows_decoded_many_per_call_are_what_framing_every_row_first_delivers()
    {
        int many = 0;
        s_shortCase.Sample(c =>
        {
            many += RunBothWays(c).ManyRows;
        }, seed: "0M4nyR0wsPC1", iter: 600, threads: 1);
        Assert.That(many, System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? Is.GreaterThan(3_000) : Is.Zero, "many rows are decoded many per call (with 256-bit vectors)");
    }

    [Test]
    public void Rows_the_decoder_frames_itself_are_the_rows_the_framer_frames()
    {
        // LF and CRLF, quoted line breaks, a carriage return inside a field, an empty nullable last field, a blank line,
        // a row cut by the end of the buffer, a header, a row with too many fields.
        const string Csv = "id,name,amount,active,ref,score\r\n1,\"a\r\nb\",1.5,true,,2\n2,x\ry,-0.25,FALSE,7,1e3\r\n\r\n3,,0,true,9,1,extra\r\n4,\"\",1,false,,0.5";
        Outcome outcome = Run(new Input(0, true, true, false, 4096, Encoding.UTF8.GetBytes(Csv), [40]), fusedAllowed: true);
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Values, Is.EqualTo(new[]
            {
                "1|a\r\nb|1.5|True||2", "2|x\ry|-0.25|False|7|1000", "4||1|False||0.5",
            }));
            Assert.That(outcome.Rejections.Select(r => r[..r.IndexOf(':', StringComparison.Ordinal)]), Is.EqualTo(new[] { "3 Schema byte 81" }));
            Assert.That(outcome.FusedRows + outcome.ManyRows, Is.EqualTo(1), "the first row starts a buffer; the second crosses the cut, the last has no line feed");
        });
    }

    /// <summary>A row type whose name setter throws on "boom" and counts its calls.</summary>
    public sealed class Touchy
    {
        private static int s_sets;

        private string _name = "";

        public static int Sets
        {
            get => Volatile.Read(ref s_sets);
            set => Volatile.Write(ref s_sets, value);
        }

        public int Id { get; set; }

        public string Name
        {
            get => _name;
            set
            {
                Interlocked.Increment(ref s_sets);
                _name = value == "boom" ? throw new InvalidOperationException("no boom") : value;
            }
        }
    }

    [Test]
    public void A_setter_that_throws_rejects_its_row_and_the_others_are_decoded_about_once()
    {
        // Every 64th row's name makes the setter throw: that row is rejected by encoding with its number and position, every
        // other row comes once, and no row is decoded over and over (the many-rows loop pauses after it throws; without the
        // pause the setter ran about 208,000 times here).
        const int Count = 6_400;
        var text = new System.Text.StringBuilder();
        var positions = new List<string>();
        for (int i = 0; i < Count; i++)
        {
            if (i % 64 == 63)
            {
                positions.Add(FormattableString.Invariant($"byte {text.Length}"));
            }

            text.Append(i).Append(',').Append(i % 64 == 63 ? "boom" : "ok").Append('\n');
        }

        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString());
        var format = new CsvFormat(",", '"');
        CsvLayout layout = CsvLayout.FromSchema(Avro.Schema.Parse("""{"type":"record","name":"T","fields":[{"name":"id","type":"int"},{"name":"name","type":"string"}]}"""));
        var rejected = new List<RejectedRecord>();
        var encoding = new CountingEncoding(new CsvRecordEncoding(format, layout));
        var input = new InputStream(Descriptor, "in", 3, new ChunkedInput(bytes, [bytes.Length / 3, bytes.Length / 2]), new DelimitedCsvFramer(format, layout, "\n", false, false, 1 << 20, OversizePolicy.Reject),
            encoding, new CsvSchemaChecker(format, layout), null, r => rejected.Add(r), 4096, 4);
        Touchy.Sets = 0;
        var ids = new List<int>();
        Task.Run(async () =>
        {
            await foreach (Touchy t in input.ReadAllAsync<Touchy>())
            {
                ids.Add(t.Id);
            }
        }).GetAwaiter().GetResult();
        input.DisposeAsync().AsTask().GetAwaiter().GetResult();

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(Enumerable.Range(0, Count).Where(i => i % 64 != 63)));
            Assert.That(rejected.Select(r => r.RecordNumber), Is.EqualTo(Enumerable.Range(0, Count).Where(i => i % 64 == 63).Select(i => (long)i + 1)));
            Assert.That(rejected.Select(r => r.Position), Is.EqualTo(positions));
            Assert.That(rejected.Select(r => r.Kind).Distinct(), Is.EqualTo(new[] { RejectionKind.Encoding }));
            Assert.That(rejected[0].Reason, Does.Contain("no boom"));
            Assert.That(Touchy.Sets, Is.LessThan(3 * Count), "each row is decoded about once, at most twice");
        });
    }

    private sealed record Outcome(List<string> Values, List<string> Rejections, (long Records, long Schema, long Encoding, long Oversized) Counts, string? Error, int FusedRows, int ManyRows = 0);

    private static Outcome Run(Input c, bool fusedAllowed)
    {
        (string delimiter, char quote) = s_formats[c.Format];
        var format = new CsvFormat(delimiter, quote);
        CsvLayout layout = CsvLayout.FromSchema(Avro.Schema.Parse(Schema));
        var framer = new DelimitedCsvFramer(format, layout, c.LfOnly ? "\n" : "\r\n", c.SkipHeader, c.SkipBlankLines, c.MaxRecordSize, OversizePolicy.Reject);
        var encoding = new CountingEncoding(new CsvRecordEncoding(format, layout));
        var rejected = new List<RejectedRecord>();
        var input = new InputStream(Descriptor, "in", 3, new ChunkedInput(c.Bytes, c.Cuts), fusedAllowed ? framer : new FramerFirst(framer), encoding,
            new CsvSchemaChecker(new CsvFormat(delimiter, quote), layout), null, r => rejected.Add(r), 7, 4);
        var values = new List<string>();
        string? error = null;
        try
        {
            ReadAll(input, values).GetAwaiter().GetResult();
        }
        catch (StreamException ex)
        {
            error = ex.Message;
        }

        StreamCounters counters = input.Counters;
        input.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return new Outcome(
            values,
            [.. rejected.Select(r => $"{r.RecordNumber} {r.Kind} {r.Position}: {r.Slot} {r.Reason} [{Convert.ToHexString(r.Record.Span)}] {r.RecordTruncated} {r.Oversized}")],
            (counters.Records, counters.RejectedBySchema, counters.RejectedByEncoding, counters.Oversized),
            error,
            encoding.FusedRows,
            encoding.ManyRows);
    }

    private static async Task ReadAll(InputStream input, List<string> values)
    {
        await foreach (Row r in input.ReadAllAsync<Row>())
        {
            values.Add(string.Join('|', r.Id, r.Name, r.Amount.ToString("R", CultureInfo.InvariantCulture), r.Active, r.Ref, r.Score.ToString("R", CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>The csv encoding, counting the rows its checking decoder framed itself.</summary>
    private sealed class CountingEncoding(CsvRecordEncoding inner) : RecordEncoding
    {
        public int FusedRows;

        public int ManyRows;

        public override string? Name => inner.Name;

        public override T Decode<T>(ReadOnlySpan<byte> record) => inner.Decode<T>(record);

        public override void Encode<T>(T value, IBufferWriter<byte> output) => inner.Encode(value, output);

        public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control) => inner.TryReadControl(record, out control);

        public override void WriteControl(ControlRecord control, IBufferWriter<byte> output) => inner.WriteControl(control, output);

        internal override CheckingDecoder<T>? CreateCheckingDecoder<T>(SchemaChecker checker) =>
            inner.CreateCheckingDecoder<T>(checker) is { } decoder ? new Counting<T>(decoder, this) : null;

        private sealed class Counting<T>(CheckingDecoder<T> decoder, CountingEncoding owner) : CheckingDecoder<T>
        {
            public override bool TryDecodeValid(ReadOnlySpan<byte> record, out T value) => decoder.TryDecodeValid(record, out value);

            public override int TryDecodeLineRow(ReadOnlySpan<byte> span, CsvFormat rows, int maxLength, out int consumed, out T value)
            {
                int length = decoder.TryDecodeLineRow(span, rows, maxLength, out consumed, out value);
                owner.FusedRows += length >= 0 ? 1 : 0;
                return length;
            }

            public override bool DecodesLineRows => decoder.DecodesLineRows;

            public override int TryDecodeLineRows(ReadOnlySpan<byte> span, CsvFormat rows, int maxLength, T[] values, int[] lengths, int[] ends, int count)
            {
                int n = decoder.TryDecodeLineRows(span, rows, maxLength, values, lengths, ends, count);
                owner.ManyRows += n;
                return n;
            }
        }
    }

    /// <summary>The same framer without <see cref="Framer.CsvLineRows"/>: it frames every row before the decoder reads it.</summary>
    private sealed class FramerFirst(DelimitedCsvFramer inner) : Framer(inner.MaxRecordSize, inner.OnOversize)
    {
        protected internal override bool CanFrameSpans => true;

        protected internal override string? RejectionReason => inner.RejectionReason;

        protected internal override int TryFrameSpan(ReadOnlySpan<byte> span, out int consumed) => inner.TryFrameSpan(span, out consumed);

        public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
        {
            try
            {
                return inner.TryReadFrame(ref reader, isFinalBlock, out frame);
            }
            finally
            {
                OversizedRecords = inner.OversizedRecords;
            }
        }

        public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output) => inner.WriteFrame(record, output);

        public override void Reset() => inner.Reset();
    }

    /// <summary>A byte input whose bytes arrive as one sequence of segments cut at the given lengths.</summary>
    private sealed class ChunkedInput(byte[] bytes, int[] cuts) : ByteInputTransport
    {
        public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
        {
            var chunks = new List<ReadOnlyMemory<byte>>();
            int at = (int)offset;
            foreach (int cut in cuts)
            {
                int length = Math.Min(cut, bytes.Length - at);
                chunks.Add(bytes.AsMemory(at, length));
                at += length;
            }

            chunks.Add(bytes.AsMemory(at));
            return ValueTask.FromResult(PipeReader.Create(Segments.Of(chunks)));
        }
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long index)
        {
            Memory = memory;
            RunningIndex = index;
        }

        public static ReadOnlySequence<byte> Of(List<ReadOnlyMemory<byte>> chunks)
        {
            var first = new Segments(chunks[0], 0);
            Segments last = first;
            for (int i = 1; i < chunks.Count; i++)
            {
                var next = new Segments(chunks[i], last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
