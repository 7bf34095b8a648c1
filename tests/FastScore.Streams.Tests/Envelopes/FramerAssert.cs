using System.Text;
using FastScore.Streams.Envelopes;
using FastScore.Streams.TestUtilities;

namespace FastScore.Streams.Tests.Envelopes;

/// <summary>Runs a framer over an input split at every cut point and every pair of cut points.</summary>
internal static class FramerAssert
{
    public static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    public static string[] Texts(IEnumerable<byte[]> frames) => frames.Select(f => Encoding.UTF8.GetString(f)).ToArray();

    /// <summary>
    /// Frames <paramref name="input"/> split every way, both fully buffered and arriving chunk by chunk, and checks the
    /// frames, the oversize count and where rejected records start are always the same.
    /// </summary>
    public static void FramesEverySplit(Func<Framer> create, string input, string[] expected, long expectedOversized = 0, long[]? expectedRejectedAt = null)
    {
        byte[] data = Bytes(input);
        foreach (int[] cuts in SequenceSplitter.EveryCutAndPair(data.Length))
        {
            string where = $"cuts [{string.Join(", ", cuts)}]";

            Framer buffered = create();
            FrameLog all = FrameReader.ReadAll(buffered, SequenceSplitter.Split(data, cuts));
            Assert.That(Texts(all.Frames), Is.EqualTo(expected), $"fully buffered, {where}");
            Assert.That(buffered.OversizedRecords, Is.EqualTo(expectedOversized), $"fully buffered, {where}");
            Assert.That(all.RejectedAt, Is.EqualTo(expectedRejectedAt ?? []), $"fully buffered, {where}");

            Framer incremental = create();
            FrameLog arriving = FrameReader.ReadIncrementally(incremental, data, cuts);
            Assert.That(Texts(arriving.Frames), Is.EqualTo(expected), $"arriving, {where}");
            Assert.That(incremental.OversizedRecords, Is.EqualTo(expectedOversized), $"arriving, {where}");
            Assert.That(arriving.RejectedAt, Is.EqualTo(expectedRejectedAt ?? []), $"arriving, {where}");
        }
    }

    /// <summary>Checks that framing fails with a <see cref="StreamFormatException"/> however the input is split.</summary>
    public static void FailsEverySplit(Func<Framer> create, string input, string messagePart)
    {
        byte[] data = Bytes(input);
        foreach (int[] cuts in SequenceSplitter.EveryCutAndPair(data.Length))
        {
            string where = $"cuts [{string.Join(", ", cuts)}]";
            var ex = Assert.Throws<StreamFormatException>(() => FrameReader.ReadAll(create(), SequenceSplitter.Split(data, cuts)), where);
            Assert.That(ex!.Message, Does.Contain(messagePart), where);
            ex = Assert.Throws<StreamFormatException>(() => FrameReader.ReadIncrementally(create(), data, cuts), where);
            Assert.That(ex!.Message, Does.Contain(messagePart), where);
        }
    }

    /// <summary>Feeds the input one byte at a time and returns the log (to check how much had to be buffered).</summary>
    public static FrameLog ByteByByte(Framer framer, string input)
    {
        byte[] data = Bytes(input);
        return FrameReader.ReadIncrementally(framer, data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());
    }
}
