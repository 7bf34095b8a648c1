using System.Buffers;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Fuzz;

/// <summary>The schema the csv targets use: every column type, nullable and not.</summary>
public static class CsvFuzzSchemas
{
    public const string Row = """
        {"type":"record","name":"Row","fields":[
          {"name":"i","type":"int"},{"name":"l","type":["null","long"]},{"name":"f","type":"float"},{"name":"d","type":["double","null"]},
          {"name":"b","type":"boolean"},{"name":"s","type":"string"},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
          {"name":"n","type":["null","string"]}]}
        """;

    internal static readonly CsvFormat[] Formats = [CsvFormat.Default, new(";;", '\''), new("\t", '"'), new("☮", '|')];
}

/// <summary>The POCO the csv target decodes to (the schema's shape).</summary>
public sealed class FuzzCsvRow
{
    public int I { get; set; }

    public long? L { get; set; }

    public float F { get; set; }

    public double? D { get; set; }

    public bool B { get; set; }

    public string S { get; set; } = "";

    public string E { get; set; } = "";

    public string? N { get; set; }
}

/// <summary>
/// <c>csv</c>: any bytes as one csv row (the first byte picks the delimiter and quote): the checker, the JSON, POCO,
/// <c>string[]</c> and checking decoders. Checked: nothing but <see cref="StreamFormatException"/> is thrown; the checker
/// accepts exactly what the JSON and POCO decoders read (except a float JSON cannot carry) and what the checking decoder
/// decodes; a rejection has a reason; an accepted row re-encodes (from its JSON and its POCO) to a row that decodes the same.
/// </summary>
public static class CsvTarget
{
    private static readonly Avro.Schema s_schema = Avro.Schema.Parse(CsvFuzzSchemas.Row);

    public static void Run(byte[] data)
    {
        if (data.Length < 1)
        {
            return;
        }

        CsvFormat format = CsvFuzzSchemas.Formats[data[0] % CsvFuzzSchemas.Formats.Length];
        byte[] row = data[1..];
        var encoding = new CsvRecordEncoding(format, CsvLayout.FromSchema(s_schema));
        var checker = new CsvSchemaChecker(format, encoding.Layout);
        bool valid = checker.TryCheck(row, out RecordRejection rejection);
        FuzzCheck.Require(valid || rejection.Reason.Length > 0, "a rejection without a reason");

        JsonElement json = default;
        Exception? jsonError = FuzzCheck.Catch(() => json = encoding.Decode<JsonElement>(row));
        AvroBinaryTarget.Only(jsonError, "Decode<JsonElement>");
        FuzzCheck.Require(valid == (jsonError is null) || (valid && jsonError!.Message.Contains("has no JSON form", StringComparison.Ordinal)),
            $"the checker {(valid ? "accepted" : "rejected")} what the JSON decoder {(jsonError is null ? "read" : "refused")}: {rejection.Reason} / {jsonError?.Message}");

        FuzzCsvRow? poco = null;
        Exception? pocoError = FuzzCheck.Catch(() => poco = encoding.Decode<FuzzCsvRow>(row));
        AvroBinaryTarget.Only(pocoError, "Decode<FuzzCsvRow>");
        FuzzCheck.Require(valid == (pocoError is null), $"the checker {(valid ? "accepted" : "rejected")} what the POCO decoder {(pocoError is null ? "read" : "refused")}: {rejection.Reason} / {pocoError?.Message}");
        if (!valid)
        {
            FuzzCheck.Require(pocoError!.Message == rejection.Reason, $"the POCO decoder and the checker give different reasons: {pocoError.Message} / {rejection.Reason}");
        }

        FuzzCheck.Require(encoding.CreateCheckingDecoder<FuzzCsvRow>(checker)!.TryDecodeValid(row, out _) == valid, "the checking decoder disagrees with the checker");
        AvroBinaryTarget.Only(FuzzCheck.Catch(() => encoding.Decode<string[]>(row)), "Decode<string[]>");
        _ = encoding.TryReadControl(row, out _);

        if (valid)
        {
            var again = new ArrayBufferWriter<byte>();
            encoding.Encode(poco, again);
            FuzzCsvRow back = encoding.Decode<FuzzCsvRow>(again.WrittenSpan);
            FuzzCheck.Require(JsonSerializer.Serialize(back) == JsonSerializer.Serialize(poco), $"a POCO re-encoded to {FuzzCheck.Show(again.WrittenSpan.ToArray())} reads back as something else");
            if (jsonError is null)
            {
                var fromJson = new ArrayBufferWriter<byte>();
                encoding.Encode(json, fromJson);
                FuzzCheck.Require(encoding.Decode<JsonElement>(fromJson.WrittenSpan).GetRawText() == json.GetRawText(), "a JSON record re-encoded reads back as something else");
            }
        }
    }
}

/// <summary>
/// <c>delimited-csv</c>: any bytes as a stream for the <c>delimited-csv</c> envelope (the first two bytes pick the separator,
/// format, header and blank-line options, the limit, the oversize policy and the chunk size), fed in chunks as a pipe
/// would. Checked: the framer contract (as for <c>framers</c>), frames within the limit, only
/// <see cref="StreamFormatException"/> thrown (with <c>Fail</c>), without oversized records exactly the frames of a plain
/// reference splitter, and the span fast path frames what the reader path frames.
/// </summary>
public static class DelimitedCsvTarget
{
    private static readonly string[] s_separators = ["\r\n", "\n", "<|>"];

    public static void Run(byte[] data)
    {
        if (data.Length < 2)
        {
            return;
        }

        string separator = s_separators[data[0] % s_separators.Length];
        CsvFormat format = CsvFuzzSchemas.Formats[data[0] / 3 % CsvFuzzSchemas.Formats.Length];
        if (separator.Contains(format.QuoteChar, StringComparison.Ordinal))
        {
            separator = "\n"; // refused by the framer's constructor (and by the descriptor)
        }

        bool skipHeader = (data[0] & 0x40) != 0;
        bool skipBlank = (data[0] & 0x80) != 0;
        int max = data[1] >= 200 ? EnvelopeDescriptor.DefaultMaxRecordSize : 1 + (data[1] % 40);
        var policy = (OversizePolicy)(data[1] % 3);
        int chunk = data[1] / 3 % 13;
        byte[] stream = data[2..];
        Framer Create() => new DelimitedCsvFramer(format, CsvLayout.FromHeader(), separator, skipHeader, skipBlank, max, policy);

        Framer framer = Create();
        List<byte[]> frames;
        try
        {
            frames = FramerTarget.Read(framer, stream, chunk);
        }
        catch (StreamFormatException)
        {
            FuzzCheck.Require(policy == OversizePolicy.Fail, "a StreamFormatException without OnOversize Fail");
            return;
        }

        foreach (byte[] frame in frames)
        {
            FuzzCheck.Require(frame.Length <= max, $"a frame of {frame.Length} bytes is longer than MaxRecordSize {max}");
        }

        if (framer.OversizedRecords == 0)
        {
            List<byte[]> expected = Reference(stream, format, separator, skipHeader, skipBlank);
            FuzzCheck.Require(expected.Count == frames.Count && expected.Zip(frames).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
                $"framed {frames.Count} records, the reference {expected.Count}");
            List<byte[]> fast = WithSpans(Create(), stream);
            FuzzCheck.Require(fast.Count == frames.Count && fast.Zip(frames).All(p => p.First.AsSpan().SequenceEqual(p.Second)), "the span fast path framed something else");
        }
    }

    /// <summary>The records by a plain reading of RFC 4180, one byte at a time over the whole stream.</summary>
    internal static List<byte[]> Reference(byte[] stream, CsvFormat format, string separator, bool skipHeader, bool skipBlank)
    {
        byte[] sep = System.Text.Encoding.UTF8.GetBytes(separator);
        bool lineMode = separator is "\r\n" or "\n";
        var rows = new List<byte[]>();
        int start = 0, i = 0;
        bool inQuotes = false, fieldStart = true;
        while (i < stream.Length)
        {
            ReadOnlySpan<byte> rest = stream.AsSpan(i);
            if (inQuotes)
            {
                if (stream[i] == format.Quote)
                {
                    if (i + 1 < stream.Length && stream[i + 1] == format.Quote)
                    {
                        i += 2;
                        continue;
                    }

                    inQuotes = false;
                }

                i++;
                continue;
            }

            if (fieldStart && stream[i] == format.Quote)
            {
                inQuotes = true;
                fieldStart = false;
                i++;
                continue;
            }

            if (lineMode ? stream[i] == (byte)'\n' : rest.StartsWith(sep))
            {
                int end = lineMode && i > start && stream[i - 1] == (byte)'\r' ? i - 1 : i;
                rows.Add(stream[start..end]);
                i += lineMode ? 1 : sep.Length;
                start = i;
                fieldStart = true;
                continue;
            }

            if (rest.StartsWith(format.Delimiter))
            {
                i += format.Delimiter.Length;
                fieldStart = true;
                continue;
            }

            fieldStart = false;
            i++;
        }

        if (start < stream.Length)
        {
            rows.Add(stream[start..]);
        }

        if (skipBlank)
        {
            rows.RemoveAll(r => r.Length == 0);
        }

        if (skipHeader && rows.Count > 0)
        {
            rows.RemoveAt(0);
        }

        return rows;
    }

    /// <summary>Frames as an input stream does: the span fast path first, then the reader path.</summary>
    public static List<byte[]> WithSpans(Framer framer, byte[] stream)
    {
        var frames = new List<byte[]>();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(stream));
        for (int guard = 0; guard <= stream.Length + 2; guard++)
        {
            while (framer.TryFrameSpan(reader.UnreadSpan, out int consumed) is int length and >= 0)
            {
                FuzzCheck.Require(consumed > 0, "the span path consumed nothing");
                frames.Add(reader.UnreadSpan[..length].ToArray());
                reader.Advance(consumed);
            }

            FrameStatus status = framer.TryReadFrame(ref reader, true, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                return frames;
            }

            if (status == FrameStatus.Frame)
            {
                frames.Add(frame.ToArray());
            }
        }

        throw new FuzzInvariantException("the framer makes no progress");
    }
}
