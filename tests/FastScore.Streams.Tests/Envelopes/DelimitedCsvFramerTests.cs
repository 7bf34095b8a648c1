using System.Buffers;
using System.Text;
using CsCheck;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Envelopes;
using FastScore.Streams.TestUtilities;

namespace FastScore.Streams.Tests.Envelopes;

public sealed class DelimitedCsvFramerTests
{
    private const string IrisSchema = """
        {"type":"record","name":"Iris","fields":[{"name":"sepal_length","type":"double"},{"name":"sepal_width","type":"double"},
        {"name":"petal_length","type":"double"},{"name":"petal_width","type":"double"}]}
        """;

    private static Func<Framer> Csv(string separator = "\r\n", bool skipHeader = false, bool skipBlankLines = true, int max = EnvelopeDescriptor.DefaultMaxRecordSize,
        OversizePolicy policy = OversizePolicy.Reject, CsvLayout? layout = null, CsvFormat? format = null) =>
        () => new DelimitedCsvFramer(format ?? CsvFormat.Default, layout, separator, skipHeader, skipBlankLines, max, policy);

    [Test]
    public void A_separator_inside_quotes_does_not_end_the_record() =>
        FramerAssert.FramesEverySplit(Csv(), "1,\"a\r\nb\",2\r\n3,\"x,y\",4\r\n", ["1,\"a\r\nb\",2", "3,\"x,y\",4"]);

    [Test]
    public void The_default_separator_also_reads_files_with_line_feeds_only_and_mixed_endings() =>
        FramerAssert.FramesEverySplit(Csv(), "a,b\nc,d\r\ne,f\n", ["a,b", "c,d", "e,f"]);

    [Test]
    public void A_newline_separator_drops_a_carriage_return_before_the_line_feed_too() =>
        FramerAssert.FramesEverySplit(Csv("\n"), "a,b\r\nc,d\n", ["a,b", "c,d"]);

    [Test]
    public void Doubled_quotes_inside_a_quoted_field_do_not_close_it() =>
        FramerAssert.FramesEverySplit(Csv(), "\"he said \"\"hi\r\n\"\"\",1\r\n2,3", ["\"he said \"\"hi\r\n\"\"\",1", "2,3"]);

    [Test]
    public void A_quote_inside_an_unquoted_field_is_literal_so_the_line_still_ends() =>
        FramerAssert.FramesEverySplit(Csv(), "ab\"c,1\r\nd,2\r\n", ["ab\"c,1", "d,2"]);

    [Test]
    public void An_unbalanced_quote_runs_to_the_end_of_the_stream() =>
        FramerAssert.FramesEverySplit(Csv(), "1,2\r\n3,\"oops\r\n4,5\r\n", ["1,2", "3,\"oops\r\n4,5\r\n"]);

    [Test]
    public void Blank_lines_are_skipped_when_asked_and_kept_otherwise()
    {
        FramerAssert.FramesEverySplit(Csv(), "a\r\n\r\n\nb\r\n", ["a", "b"]);
        FramerAssert.FramesEverySplit(Csv(skipBlankLines: false), "a\r\n\r\nb\r\n", ["a", "", "b"]);
    }

    [Test]
    public void Bytes_after_the_last_separator_are_the_last_record() =>
        FramerAssert.FramesEverySplit(Csv(), "a,b\r\nc,\"d\"", ["a,b", "c,\"d\""]);

    [Test]
    public void A_multi_character_separator_and_delimiter_are_matched_across_splits()
    {
        var format = new CsvFormat("::", '\'');
        FramerAssert.FramesEverySplit(Csv("<|>", format: format), "a::'x<|>y'::b<|>c::d<|>", ["a::'x<|>y'::b", "c::d"]);
    }

    [Test]
    public void The_header_is_skipped_and_names_the_columns_when_there_is_no_schema()
    {
        CsvLayout layout = CsvLayout.FromHeader();
        FramerAssert.FramesEverySplit(() => { layout = CsvLayout.FromHeader(); return new DelimitedCsvFramer(CsvFormat.Default, layout); }, "\"x\",y z\r\n1,2\r\n", ["1,2"]);
        Assert.That(layout.Columns!.Select(c => c.Name), Is.EqualTo(new[] { "x", "y z" }));
    }

    [Test]
    public void A_header_that_matches_the_schema_is_skipped() =>
        FramerAssert.FramesEverySplit(Csv(skipHeader: true, layout: CsvLayout.FromSchema(Avro.Schema.Parse(IrisSchema))),
            "sepal_length,sepal_width,petal_length,petal_width\r\n5.1,3.5,1.4,0.2\r\n", ["5.1,3.5,1.4,0.2"]);

    [Test]
    public void A_header_that_does_not_match_the_schema_is_rejected_naming_the_columns()
    {
        var framer = new DelimitedCsvFramer(CsvFormat.Default, CsvLayout.FromSchema(Avro.Schema.Parse(IrisSchema)));
        FrameLog log = FrameReader.ReadAll(framer, new ReadOnlySequence<byte>("sepal_length,sepal_width,petal_len\r\n5.1,3.5,1.4,0.2\r\n"u8.ToArray()));
        Assert.That(log.RejectedAt, Is.EqualTo(new long[] { 0 }));
        Assert.That(FramerAssert.Texts(log.Frames), Is.EqualTo(new[] { "5.1,3.5,1.4,0.2" }));
        Assert.That(framer.RejectionReason, Is.EqualTo("the header does not match the schema's fields (sepal_length, sepal_width, petal_length, petal_width): column 3 is 'petal_len', the schema's field is 'petal_length'; column 4 is missing (the schema's field 'petal_width')"));
    }

    [Test]
    public void An_oversized_record_is_rejected_and_the_next_one_read_also_when_a_quote_holds_newlines()
    {
        FramerAssert.FramesEverySplit(Csv(max: 6), "12345678\r\n\"a\r\nbcdefgh\",1\r\nok\r\n", ["ok"], expectedOversized: 2, expectedRejectedAt: [0, 10]);
        FramerAssert.FramesEverySplit(Csv(max: 6, policy: OversizePolicy.Truncate), "12345678\r\nok\r\n", ["123456", "ok"], expectedOversized: 1);
        FramerAssert.FailsEverySplit(Csv(max: 6, policy: OversizePolicy.Fail), "12345678\r\nok\r\n", "MaxRecordSize");
    }

    [Test]
    public void An_unbalanced_quote_cut_by_the_limit_says_the_quoted_field_is_open()
    {
        var framer = new DelimitedCsvFramer(CsvFormat.Default, null, maxRecordSize: 8);
        FrameLog log = FrameReader.ReadAll(framer, new ReadOnlySequence<byte>("1,\"abc\r\ndefghij\r\n"u8.ToArray()));
        Assert.That(log.RejectedAt, Is.EqualTo(new long[] { 0 }));
        Assert.That(framer.RejectionReason, Does.Contain("the quoted field that starts at byte 2 of the record is still open"));
    }

    [Test]
    public void The_span_fast_path_frames_exactly_what_the_reader_path_frames()
    {
        string[] inputs = ["a,b\r\nc,d\ne\r\n\r\n\"q\r\n\",1\r\nlast", "\r\n\r\nx\n", "h1,h2\r\n1,2\r\n"];
        foreach (string input in inputs)
        {
            foreach (bool header in new[] { false, true })
            {
                byte[] data = Encoding.UTF8.GetBytes(input);
                List<string> slow = FramerAssert.Texts(FrameReader.ReadAll(Csv(skipHeader: header)(), new ReadOnlySequence<byte>(data)).Frames).ToList();
                List<string> fast = WithSpans(Csv(skipHeader: header)(), data);
                Assert.That(fast, Is.EqualTo(slow), $"{input} header={header}");
            }
        }
    }

    [Test]
    public void Output_writes_the_header_then_each_record_with_the_separator()
    {
        var framer = new DelimitedCsvFramer(CsvFormat.Default, CsvLayout.FromSchema(Avro.Schema.Parse(IrisSchema)), "\r\n", skipHeader: true);
        var output = new ArrayBufferWriter<byte>();
        framer.WriteStart(output);
        framer.WriteFrame("5.1,3.5,1.4,0.2"u8, output);
        framer.WriteEnd(output);
        Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("sepal_length,sepal_width,petal_length,petal_width\r\n5.1,3.5,1.4,0.2\r\n"));
    }

    [Test]
    public void Reset_reads_the_header_again()
    {
        Framer framer = Csv(skipHeader: true)();
        var input = new ReadOnlySequence<byte>("h\r\n1\r\n"u8.ToArray());
        Assert.That(FramerAssert.Texts(FrameReader.ReadAll(framer, input).Frames), Is.EqualTo(new[] { "1" }));
        framer.Reset();
        Assert.That(FramerAssert.Texts(FrameReader.ReadAll(framer, input).Frames), Is.EqualTo(new[] { "1" }));
    }

    [Test]
    public void Quoted_rows_are_framed_alike_by_the_span_fast_path_and_the_reader_path()
    {
        // Quotes anywhere (opening a field, doubled, literal inside an unquoted field, unbalanced), delimiters and line
        // breaks inside quotes, CRLF and LF, empty fields: the span path (one search per quote or line feed) must cut the
        // same rows as the reader path (the full scan).
        Gen<string> text = Gen.String[Gen.Char["ab,\"\r\n;'"], 0, 60];
        foreach ((string separator, CsvFormat format) in new[] { ("\r\n", CsvFormat.Default), ("\n", CsvFormat.Default), ("\r\n", new CsvFormat(";", '\'')) })
        {
            text.Sample(t =>
            {
                byte[] data = Encoding.UTF8.GetBytes(t);
                string[] read = FramerAssert.Texts(FrameReader.ReadAll(Csv(separator, format: format)(), new ReadOnlySequence<byte>(data)).Frames);
                Assert.That(WithSpans(Csv(separator, format: format)(), data), Is.EqualTo(read), t);
            }, seed: "0N2Yd8gJfPM7", iter: 4000, threads: 1);
        }
    }

    /// <summary>Frames as an input stream does: the span fast path first, then the reader path.</summary>
    internal static List<string> WithSpans(Framer framer, byte[] data)
    {
        var frames = new List<string>();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(data));
        while (true)
        {
            while (true)
            {
                int length = framer.TryFrameSpan(reader.UnreadSpan, out int consumed);
                if (length < 0)
                {
                    break;
                }

                frames.Add(Encoding.UTF8.GetString(reader.UnreadSpan[..length]));
                reader.Advance(consumed);
            }

            FrameStatus status = framer.TryReadFrame(ref reader, true, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                return frames;
            }

            if (status == FrameStatus.Frame)
            {
                frames.Add(Encoding.UTF8.GetString(frame.ToArray()));
            }
        }
    }
}
