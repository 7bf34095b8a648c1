using System.Buffers;
using System.Diagnostics;
using Avro.File;
using Avro.Generic;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Envelopes.Ocf;
using FastScore.Streams.TestUtilities;
using static FastScore.Streams.Tests.Encodings.AvroBinary.AvroTestData;

namespace FastScore.Streams.Tests.Envelopes;

/// <summary>
/// Issue 14 points 2 and 5: the ocf-block envelope reads and writes Avro object container files with every codec,
/// agrees with Apache.Avro's DataFileReader/DataFileWriter and Debian's avro tools, and rejects what is corrupt or
/// truncated block by block while the rest is read.
/// </summary>
public sealed class OcfBlockFramerTests
{
    private static readonly Avro.Schema s_iris = Parse(Iris);

    /// <summary>What reading a whole stream gave: the frames and the rejections (position in the input, reason).</summary>
    internal sealed record OcfLog(List<byte[]> Frames, List<(long At, string Reason)> Rejected);

    /// <summary>Reads a stream arriving in chunks of <paramref name="chunk"/> bytes (0: at once), as a pipe loop does.</summary>
    internal static OcfLog Read(Framer framer, byte[] input, int chunk = 0)
    {
        var log = new OcfLog([], []);
        var pending = new List<byte[]>();
        long consumed = 0;
        int start = 0;
        while (true)
        {
            int end = chunk == 0 ? input.Length : Math.Min(input.Length, start + chunk);
            pending.Add(input[start..end]);
            start = end;
            bool final = start == input.Length;
            ReadOnlySequence<byte> buffer = SequenceSplitter.FromSegments([.. pending]);
            var reader = new SequenceReader<byte>(buffer);
            for (int guard = 0; ; guard++)
            {
                Assert.That(guard, Is.LessThan(10_000_000), "the framer makes no progress");
                long before = reader.Consumed;
                FrameStatus status = framer.TryReadFrame(ref reader, final, out ReadOnlySequence<byte> frame);
                if (status == FrameStatus.NeedMoreData)
                {
                    Assert.That(reader.Consumed, Is.EqualTo(before), "NeedMoreData moved the reader");
                    break;
                }

                if (status == FrameStatus.Frame)
                {
                    log.Frames.Add(frame.ToArray());
                }
                else if (status == FrameStatus.Rejected)
                {
                    log.Rejected.Add((consumed + before, framer.RejectionReason ?? "oversized"));
                }
            }

            consumed += reader.Consumed;
            if (final)
            {
                Assert.That(reader.End, Is.True, "the final block was not consumed");
                return log;
            }

            pending.Clear();
            foreach (ReadOnlyMemory<byte> segment in buffer.Slice(reader.Position))
            {
                pending.Add(segment.ToArray());
            }
        }
    }

    internal static byte[][] IrisRecords(int count) =>
        [.. Enumerable.Range(0, count).Select(i => ApacheEncode(s_iris, IrisRecord(s_iris, i, i / 2f, i / 3f, -i)))];

    /// <summary>Writes a container file with our framer, one block per batch.</summary>
    internal static byte[] Write(string codec, IEnumerable<byte[][]> batches, byte[]? sync = null)
    {
        var framer = new OcfBlockFramer(new OcfReadOptions(s_iris), outputCodec: codec, outputSync: sync);
        var output = new ArrayBufferWriter<byte>();
        framer.WriteStart(output);
        foreach (byte[][] batch in batches)
        {
            foreach (byte[] record in batch)
            {
                framer.WriteFrame(record, output);
            }

            framer.EndBatch(output);
        }

        framer.WriteEnd(output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[][][] Batches(int blocks, int perBlock) =>
        [.. Enumerable.Range(0, blocks).Select(b => IrisRecords(perBlock * (b + 1))[(perBlock * b)..])];

    [TestCase("null")]
    [TestCase("deflate")]
    [TestCase("snappy")]
    [TestCase("zstandard")]
    public void A_file_written_here_reads_back_here_in_any_chunking(string codec)
    {
        byte[][][] batches = Batches(3, 40);
        byte[] file = Write(codec, batches);
        byte[][] expected = [.. batches.SelectMany(b => b)];

        foreach (int chunk in new[] { 0, 1, 7, 64, 1000 })
        {
            OcfLog log = Read(new OcfBlockFramer(new OcfReadOptions(s_iris)), file, chunk);
            Assert.That(log.Rejected, Is.Empty, $"chunk {chunk}");
            Assert.That(log.Frames, Is.EqualTo(expected), $"chunk {chunk}");
        }
    }

    [TestCase("null")]
    [TestCase("deflate")]
    public void A_file_written_here_is_read_by_Apache_Avros_DataFileReader(string codec)
    {
        byte[][][] batches = Batches(2, 25);
        byte[] file = Write(codec, batches);

        using IFileReader<GenericRecord> reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(file));
        var read = reader.NextEntries.Select(r => ApacheEncode(s_iris, r)).ToList();

        Assert.That(reader.GetMetaString("avro.codec"), Is.EqualTo(codec));
        Assert.That(read, Is.EqualTo(batches.SelectMany(b => b)));
    }

    [TestCase(Codec.Type.Null)]
    [TestCase(Codec.Type.Deflate)]
    public void A_file_written_by_Apache_Avros_DataFileWriter_is_read_here(Codec.Type codec)
    {
        byte[] file = ApacheFile(codec, 300, syncInterval: 1000);

        OcfLog log = Read(new OcfBlockFramer(new OcfReadOptions(s_iris)), file, 500);

        Assert.That(log.Rejected, Is.Empty);
        Assert.That(log.Frames, Is.EqualTo(IrisRecords(300)));
    }

    private static byte[] ApacheFile(Codec.Type codec, int count, int syncInterval)
    {
        var stream = new MemoryStream();
        using (IFileWriter<GenericRecord> writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(s_iris), stream, Codec.CreateCodec(codec), leaveOpen: true))
        {
            writer.SetSyncInterval(syncInterval);
            for (int i = 0; i < count; i++)
            {
                writer.Append(IrisRecord(s_iris, i, i / 2f, i / 3f, -i));
            }
        }

        return stream.ToArray();
    }

    [Test]
    public void A_header_less_stream_is_read_with_the_sync_marker_and_codec_from_the_descriptor()
    {
        byte[] sync = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
        byte[] file = Write("deflate", Batches(2, 10), sync);
        int headerLength = OcfHeaderLength(file);

        OcfLog log = Read(new OcfBlockFramer(new OcfReadOptions(s_iris, HasHeader: false, SyncMarker: sync, Codec: "deflate")), file[headerLength..], 9);

        Assert.That(log.Frames, Is.EqualTo(IrisRecords(20)));
    }

    private static int OcfHeaderLength(byte[] file)
    {
        Assert.That(OcfHeader.TryRead(file, out OcfHeader? header, out _), Is.EqualTo(OperationStatus.Done));
        return header!.Length;
    }

    [Test]
    public void Reading_from_any_byte_offset_starts_at_the_next_block()
    {
        byte[] sync = [.. Enumerable.Range(100, 16).Select(i => (byte)i)];
        byte[][][] batches = Batches(4, 10);
        byte[] file = Write("null", batches, sync);
        int headerLength = OcfHeaderLength(file);
        int blockLength = (file.Length - headerLength) / 4; // equal blocks: 10 iris records each

        for (int offset = headerLength; offset < file.Length; offset += 13)
        {
            var framer = new OcfBlockFramer(new OcfReadOptions(s_iris, HasHeader: false, SyncMarker: sync, StartsMidFile: true));
            OcfLog log = Read(framer, file[offset..], 50);
            // A block boundary starts there; any other offset starts after the first whole sync marker at or after it.
            int nextBlock = (offset - headerLength) % blockLength == 0
                ? (offset - headerLength) / blockLength
                : Enumerable.Range(0, 4).Where(i => headerLength + ((i + 1) * blockLength) - 16 >= offset).Select(i => i + 1).DefaultIfEmpty(4).First();
            Assert.That(log.Rejected, Is.Empty, $"offset {offset}");
            Assert.That(log.Frames, Is.EqualTo(batches.Skip(nextBlock).SelectMany(b => b)), $"offset {offset}");
        }
    }

    [Test]
    public void A_corrupt_block_rejects_its_records_and_the_next_block_is_read()
    {
        byte[][][] batches = Batches(3, 10);
        byte[] file = Write("deflate", batches);
        int headerLength = OcfHeaderLength(file);
        byte[] corrupt = (byte[])file.Clone();
        int middle = headerLength + ((file.Length - headerLength) / 2);
        corrupt[middle] ^= 0x5A; // inside the second block's compressed data

        OcfLog log = Read(new OcfBlockFramer(new OcfReadOptions(s_iris)), corrupt, 64);

        Assert.That(log.Frames, Is.EqualTo(batches[0].Concat(batches[2])));
        Assert.That(log.Rejected, Has.Count.EqualTo(10), "each record of the block");
        Assert.That(log.Rejected.Select(r => r.At).Distinct().Single(), Is.GreaterThan(headerLength).And.LessThan(middle), "the block's position");
        Assert.That(log.Rejected[0].Reason, Does.Contain("(record 1 of the block's 10)"));
    }

    [Test]
    public void A_truncated_file_delivers_its_whole_blocks_and_rejects_the_cut_one()
    {
        byte[][][] batches = Batches(3, 10);
        byte[] file = Write("snappy", batches);

        OcfLog log = Read(new OcfBlockFramer(new OcfReadOptions(s_iris)), file[..^20], 100);

        Assert.That(log.Frames, Is.EqualTo(batches[0].Concat(batches[1])));
        Assert.That(log.Rejected.Single().Reason, Does.StartWith("the stream ends inside a block of 10 records"));
    }

    [Test]
    public void A_damaged_sync_marker_rejects_the_block_and_reading_resynchronises()
    {
        byte[] sync = [.. Enumerable.Range(7, 16).Select(i => (byte)i)];
        byte[][][] batches = Batches(3, 10);
        byte[] file = Write("null", batches, sync);
        int firstSyncEnd = file.AsSpan(OcfHeaderLength(file)).IndexOf(sync) + OcfHeaderLength(file);
        file[firstSyncEnd + 3] ^= 0xFF; // the first block's closing marker

        OcfLog log = Read(new OcfBlockFramer(new OcfReadOptions(s_iris)), file);

        Assert.That(log.Frames, Is.EqualTo(batches[1].Concat(batches[2])));
        Assert.That(log.Rejected.Single().Reason, Does.StartWith("a corrupt block: the sync marker after its"));
    }

    [Test]
    public void An_unknown_codec_rejects_every_block_with_the_reason()
    {
        byte[] file = Write("null", Batches(2, 5));
        byte[] renamed = ReplaceOnce(file, "\u0008null"u8.ToArray(), "\u0008lz4x"u8.ToArray()); // avro.codec "null" → "lz4x"

        OcfLog log = Read(new OcfBlockFramer(new OcfReadOptions(s_iris)), renamed);

        Assert.That(log.Frames, Is.Empty);
        Assert.That(log.Rejected, Has.Count.EqualTo(10));
        Assert.That(log.Rejected[0].Reason, Does.StartWith("unknown codec 'lz4x' (known: null, deflate, snappy, zstandard)"));
    }

    private static byte[] ReplaceOnce(byte[] data, byte[] from, byte[] to)
    {
        int at = data.AsSpan().IndexOf(from);
        Assert.That(at, Is.GreaterThanOrEqualTo(0));
        byte[] copy = (byte[])data.Clone();
        to.CopyTo(copy, at);
        return copy;
    }

    [Test]
    public void A_file_whose_schema_the_stream_cannot_read_fails_with_the_reason()
    {
        byte[] file = Write("null", Batches(1, 2));
        var framer = new OcfBlockFramer(new OcfReadOptions(Parse("""{"type":"record","name":"xgboost_input","fields":[{"name":"sepal_length","type":"int"}]}""")));

        var error = Assert.Throws<StreamFormatException>(() => Read(framer, file));

        Assert.That(error!.Message, Does.Contain("cannot be read as the stream's schema: $.sepal_length: the writer's float cannot be read as the reader's int"));
    }

    [Test]
    public void A_stream_that_is_not_a_container_file_fails_with_the_reason()
    {
        var error = Assert.Throws<StreamFormatException>(() => Read(new OcfBlockFramer(new OcfReadOptions(s_iris)), "{\"a\":1}\n"u8.ToArray()));

        Assert.That(error!.Message, Does.Contain("no 'Obj' magic at byte 0"));
    }

    [Test]
    public void Set_and_end_control_records_end_a_block_and_are_not_written_into_the_file()
    {
        var framer = new OcfBlockFramer(new OcfReadOptions(s_iris));
        var output = new ArrayBufferWriter<byte>();
        var control = new ArrayBufferWriter<byte>();
        AvroControl.Write(new FastScore.Streams.Encodings.ControlRecord(FastScore.Streams.Encodings.ControlKind.Set), control);
        framer.WriteStart(output);
        byte[][] records = IrisRecords(4);
        framer.WriteFrame(records[0], output);
        framer.WriteFrame(records[1], output);
        framer.WriteFrame(control.WrittenSpan, output);
        framer.WriteFrame(records[2], output);
        framer.WriteFrame(records[3], output);
        framer.WriteEnd(output);

        using IFileReader<GenericRecord> reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(output.WrittenSpan.ToArray()));
        Assert.That(reader.NextEntries.Count(), Is.EqualTo(4));
        Assert.That(output.WrittenSpan.IndexOf(control.WrittenSpan), Is.EqualTo(-1));
    }

    // ---- Debian's avro tools (an independent C implementation) ----

    [TestCase("null")]
    [TestCase("deflate")]
    [TestCase("snappy")]
    [Category("Integration")]
    public void Avrocat_reads_a_file_written_here(string codec)
    {
        byte[] file = Write(codec, Batches(2, 5));
        string path = Path.Combine(Path.GetTempPath(), $"fss-ocf-{Guid.NewGuid():N}.avro");
        File.WriteAllBytes(path, file);
        try
        {
            string[] lines = Run("avrocat", path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Length.EqualTo(10));
            Assert.That(lines[3], Does.Contain("\"sepal_length\": 3").And.Contain("\"petal_width\": -3"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase("deflate")]
    [TestCase("snappy")]
    [TestCase("null")]
    [Category("Integration")]
    public void A_file_rewritten_by_avromod_is_read_here(string codec)
    {
        string source = Path.Combine(Path.GetTempPath(), $"fss-ocf-{Guid.NewGuid():N}.avro");
        string target = source + ".out";
        File.WriteAllBytes(source, Write("deflate", Batches(3, 20)));
        try
        {
            Run("avromod", $"--codec={codec}", "--block-size=500", source, target);
            byte[] file = File.ReadAllBytes(target);
            OcfLog log = Read(new OcfBlockFramer(new OcfReadOptions(s_iris)), file, 333);

            Assert.That(OcfHeader.TryRead(file, out OcfHeader? header, out _), Is.EqualTo(OperationStatus.Done));
            Assert.That(header!.Codec, Is.EqualTo(codec));
            Assert.That(log.Rejected, Is.Empty);
            Assert.That(log.Frames, Is.EqualTo(IrisRecords(60)));
        }
        finally
        {
            File.Delete(source);
            File.Delete(target);
        }
    }

    private static string Run(string tool, params string[] arguments)
    {
        string path = new[] { "/usr/bin", "/usr/local/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
            ?? throw new AssertionException($"{tool} is not installed (Debian: apt-get install avro-bin; .ci/run installs it)");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(60_000), Is.True, $"{tool} hangs");
        Assert.That(process.ExitCode, Is.Zero, $"{tool}: {error.Result}");
        return output.Result;
    }
}
