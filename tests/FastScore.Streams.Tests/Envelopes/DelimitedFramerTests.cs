using System.Buffers;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;
using FastScore.Streams.TestUtilities;
using static FastScore.Streams.Tests.Envelopes.FramerAssert;

namespace FastScore.Streams.Tests.Envelopes;

public sealed class DelimitedFramerTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("\n", "a\nbb\n\nccc", new[] { "a", "bb", "", "ccc" }).SetName("Newline_records_with_an_empty_one_and_no_trailing_separator");
        yield return new TestCaseData("\n", "a\nbb\n", new[] { "a", "bb" }).SetName("A_trailing_newline_does_not_create_a_record");
        yield return new TestCaseData("\n", "a\n\n", new[] { "a", "" }).SetName("Only_the_last_empty_record_is_dropped");
        yield return new TestCaseData("\n", "", Array.Empty<string>()).SetName("An_empty_stream_has_no_records");
        yield return new TestCaseData("\n", "\n", new[] { "" }).SetName("A_lone_separator_is_one_empty_record");
        yield return new TestCaseData("\r\n", "ab\r\ncd\r\n\r\ne\r", new[] { "ab", "cd", "", "e\r" }).SetName("CRLF_separator_with_a_dangling_CR_at_the_end");
        yield return new TestCaseData("<|>", "x<|y<|>z<|><|>", new[] { "x<|y", "z", "" }).SetName("Three_byte_separator_with_a_partial_match_inside_a_record");
        yield return new TestCaseData("aab", "aaaabq", new[] { "aa", "q" }).SetName("Self_overlapping_separator_is_found_at_its_first_full_match");
        yield return new TestCaseData("☮", "peace☮love☮", new[] { "peace", "love" }).SetName("Multi_byte_UTF8_separator");
    }

    [TestCaseSource(nameof(Cases))]
    public void Frames_are_the_same_however_the_input_is_split(string separator, string input, string[] expected) =>
        FramesEverySplit(() => new DelimitedFramer(separator), input, expected);

    [Test]
    public void NeedMoreData_leaves_a_fresh_reader_at_zero_consumed()
    {
        var framer = new DelimitedFramer("\r\n");
        var reader = new SequenceReader<byte>(SequenceSplitter.Split(Bytes("abc\r"), 2, 3));
        FrameStatus status = framer.TryReadFrame(ref reader, isFinalBlock: false, out _);
        long consumed = reader.Consumed;
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(FrameStatus.NeedMoreData));
            Assert.That(consumed, Is.Zero);
        });
    }

    [Test]
    public void A_record_of_exactly_MaxRecordSize_bytes_is_not_oversized() =>
        FramesEverySplit(() => new DelimitedFramer("\n", 4), "abcd\nab\nabcd", ["abcd", "ab", "abcd"]);

    [Test]
    public void Oversized_record_fails_the_stream_under_Fail() =>
        FailsEverySplit(() => new DelimitedFramer("\n", 4, OversizePolicy.Fail), "ab\nabcdefg\nx", "MaxRecordSize (4 bytes)");

    [Test]
    public void Oversized_records_are_rejected_by_default() =>
        FramesEverySplit(() => new DelimitedFramer("\n", 4), "ab\nabcdefg\nx", ["ab", "x"], expectedOversized: 1, expectedRejectedAt: [3]);

    [Test]
    public void Oversized_last_record_without_separator_fails_the_stream() =>
        FailsEverySplit(() => new DelimitedFramer("\r\n", 4, OversizePolicy.Fail), "ab\r\nabcde", "MaxRecordSize");

    [Test]
    public void Reject_drops_oversized_records_counts_them_and_says_where_they_start() =>
        FramesEverySplit(() => new DelimitedFramer("\n", 4, OversizePolicy.Reject), "ab\nabcdefgh\ncd\n\nabcde", ["ab", "cd", ""], expectedOversized: 2, expectedRejectedAt: [3, 16]);

    [Test]
    public void Truncate_keeps_the_first_MaxRecordSize_bytes_and_counts_them() =>
        FramesEverySplit(() => new DelimitedFramer("\n", 4, OversizePolicy.Truncate), "ab\nabcdefgh\ncd\nabcde", ["ab", "abcd", "cd", "abcd"], expectedOversized: 2);

    [Test]
    public void Reject_with_a_multi_byte_separator_split_around_the_size_limit() =>
        FramesEverySplit(() => new DelimitedFramer("\r\n", 4, OversizePolicy.Reject), "abcd\r\nabcd\rx\r\nabc\r\r\nabcd\r\r\nxy", ["abcd", "abc\r", "xy"], expectedOversized: 2, expectedRejectedAt: [6, 20]);

    [Test]
    public void Truncate_with_a_multi_byte_separator_split_around_the_size_limit() =>
        FramesEverySplit(() => new DelimitedFramer("\r\n", 4, OversizePolicy.Truncate), "abcd\r\nabcd\rx\r\nabc\r\r\nabcd\r\r\nxy", ["abcd", "abcd", "abc\r", "abcd", "xy"], expectedOversized: 2);

    [TestCase(OversizePolicy.Reject)]
    [TestCase(OversizePolicy.Truncate)]
    public void An_oversized_record_never_makes_the_caller_buffer_much_more_than_MaxRecordSize(OversizePolicy policy)
    {
        string huge = new('x', 1000);
        FrameLog log = ByteByByte(new DelimitedFramer("\r\n", 8, policy), $"ab\r\n{huge}\r\ncd");
        Assert.Multiple(() =>
        {
            Assert.That(log.MaxBuffered, Is.LessThanOrEqualTo(8 + 2));
            Assert.That(Texts(log.Frames), Is.EqualTo(policy == OversizePolicy.Reject ? new[] { "ab", "cd" } : ["ab", "xxxxxxxx", "cd"]));
        });
    }

    [Test]
    public void A_long_record_arriving_byte_by_byte_is_framed_once_complete()
    {
        FrameLog log = ByteByByte(new DelimitedFramer("\n"), "hello world\nbye");
        Assert.That(Texts(log.Frames), Is.EqualTo(new[] { "hello world", "bye" }));
    }

    [Test]
    public void Reset_forgets_a_half_skipped_record()
    {
        var framer = new DelimitedFramer("\n", 2, OversizePolicy.Reject);
        FrameReader.ReadIncrementally(framer, Bytes("abcdef"), 6); // never sees the separator: still skipping
        framer.Reset();
        FrameLog log = FrameReader.ReadAll(framer, new ReadOnlySequence<byte>(Bytes("ab\ncd")));
        Assert.That(Texts(log.Frames), Is.EqualTo(new[] { "ab", "cd" }));
    }

    [Test]
    public void WriteFrame_writes_the_record_then_the_separator()
    {
        var framer = new DelimitedFramer("\r\n");
        var output = new ArrayBufferWriter<byte>();
        framer.WriteFrame(Bytes("abc"), output);
        framer.WriteFrame([], output);
        framer.WriteFrame(Bytes(new string('z', 5000)), output);
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(Bytes("abc\r\n\r\n" + new string('z', 5000) + "\r\n")));
    }

    [Test]
    public void An_empty_separator_is_rejected() =>
        Assert.Throws<ArgumentException>(() => _ = new DelimitedFramer(""));
}
