using System.Buffers;
using System.Text.Json;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Envelopes.Ocf;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Fuzz;

/// <summary>Schemas the avro-binary targets are fuzzed with: every type, unions, recursion, and a resolution to an older reader.</summary>
public static class AvroFuzzSchemas
{
    public const string Writer = """
        {"type":"record","name":"R","fields":[
          {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
          {"name":"d","type":"double"},{"name":"s","type":"string"},{"name":"by","type":"bytes"},
          {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},{"name":"x","type":{"type":"fixed","name":"X","size":2}},
          {"name":"a","type":{"type":"array","items":["null","int"]}},{"name":"m","type":{"type":"map","values":"string"}},
          {"name":"n","type":["null",{"type":"record","name":"N","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","N"]}]}]}
        ]}
        """;

    public const string Reader = """
        {"type":"record","name":"R","fields":[
          {"name":"i","type":"double"},{"name":"s","type":"bytes"},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}},
          {"name":"a","type":{"type":"array","items":["null","long"]}},{"name":"extra","type":"string","default":"z"},
          {"name":"n","type":["null",{"type":"record","name":"N","fields":[{"name":"v","type":"double"},{"name":"next","type":["null","N"]}]}]}
        ]}
        """;
}

/// <summary>The POCO the avro-binary targets decode to (the reader schema's shape).</summary>
public sealed class FuzzAvroReader
{
    public double I { get; set; }

    public byte[] S { get; set; } = [];

    public string E { get; set; } = "";

    public List<long?> A { get; set; } = [];

    public string Extra { get; set; } = "";

    public FuzzAvroNode? N { get; set; }
}

/// <inheritdoc cref="FuzzAvroReader"/>
public sealed class FuzzAvroNode
{
    public double V { get; set; }

    public FuzzAvroNode? Next { get; set; }
}

/// <summary>
/// <c>avro-binary</c>: any bytes as one avro-binary record: the skip-parse checker, the generic, JSON and POCO decoders
/// (with and without resolution to an older reader schema) and the bare-stream framer. Checked: nothing but
/// <see cref="StreamFormatException"/> is thrown; the checker accepts exactly what the generic decoder reads; what the
/// checker accepts also decodes through the resolution (the schemas resolve for every value) and re-encodes to the same
/// bytes; the framer frames a valid record as itself.
/// </summary>
public static class AvroBinaryTarget
{
    private static readonly Avro.Schema s_writer = Avro.Schema.Parse(AvroFuzzSchemas.Writer);
    private static readonly Avro.Schema s_reader = Avro.Schema.Parse(AvroFuzzSchemas.Reader);
    private static readonly AvroBinaryRecordEncoding s_identity = new(s_writer);
    private static readonly AvroBinaryRecordEncoding s_resolving = new(s_writer, s_reader);
    private static readonly AvroBinaryRecordEncoding s_interpreted = new(s_writer, s_reader, emit: false);
    private static readonly AvroBinarySchemaChecker s_checker = new(s_writer);

    public static void Run(byte[] data)
    {
        bool valid = s_checker.TryCheck(data, out RecordRejection rejection);
        FuzzCheck.Require(valid || rejection.Reason.Contains(" at byte ", StringComparison.Ordinal) || rejection.Reason.Contains("bytes after", StringComparison.Ordinal), $"a rejection without a position: {rejection.Reason}");

        object? generic = null;
        Exception? genericError = FuzzCheck.Catch(() => generic = s_identity.Decode<Avro.Generic.GenericRecord>(data));
        Only(genericError, "Decode<GenericRecord>");
        FuzzCheck.Require(valid == (genericError is null), $"the checker {(valid ? "accepted" : "rejected")} what the generic decoder {(genericError is null ? "read" : "refused")}: {rejection.Reason} / {genericError?.Message}");

        Exception? jsonError = FuzzCheck.Catch(() => s_identity.Decode<JsonElement>(data));
        Only(jsonError, "Decode<JsonElement>");
        FuzzCheck.Require(!valid || jsonError is null || jsonError.Message.Contains("has no JSON form", StringComparison.Ordinal), $"a valid record did not decode to JSON: {jsonError?.Message}");

        FuzzAvroReader? poco = null;
        Exception? pocoError = FuzzCheck.Catch(() => poco = s_resolving.Decode<FuzzAvroReader>(data));
        Only(pocoError, "Decode<FuzzAvroReader>");
        Exception? interpretedError = FuzzCheck.Catch(() => s_interpreted.Decode<FuzzAvroReader>(data));
        FuzzCheck.Require((pocoError is null) == (interpretedError is null), "the emitted and interpreted readers disagree");
        Only(FuzzCheck.Catch(() => s_resolving.Decode<JsonElement>(data)), "resolving Decode<JsonElement>");
        _ = s_identity.TryReadControl(data, out _);

        if (valid)
        {
            FuzzCheck.Require(pocoError is null || pocoError.Message.Contains("is not in the reader's enum", StringComparison.Ordinal), $"a valid record did not resolve: {pocoError?.Message}");
            // Re-encoded (canonically: an overlong varint is valid Avro but written short), it reads back the same.
            var again = new ArrayBufferWriter<byte>();
            s_identity.Encode(generic, again);
            FuzzCheck.Require(again.WrittenCount <= data.Length && s_identity.Decode<Avro.Generic.GenericRecord>(again.WrittenSpan).ToString() == generic!.ToString(), "a valid record re-encodes to something else");
            if (!AvroControl.StartsLikeControl(data))
            {
                List<byte[]> frames = FramerTarget.Read(new AvroRecordFramer(s_writer), data, chunk: data.Length % 7);
                FuzzCheck.Require(frames.Count == 1 && frames[0].AsSpan().SequenceEqual(data), "the bare framer did not frame a valid record as itself");
            }
        }

        // Any bytes as a bare stream: framed, rejected or discarded, never thrown.
        Only(FuzzCheck.Catch(() => OcfTarget.ReadAll(new AvroRecordFramer(s_writer, 64, Descriptors.OversizePolicy.Reject), data, 5)), "the bare framer");
    }

    internal static void Only(Exception? error, string what)
    {
        if (error is not null and not StreamFormatException)
        {
            throw new FuzzInvariantException($"{what} threw {error.GetType().Name}, not StreamFormatException: {error}");
        }
    }
}

/// <summary>
/// <c>ocf</c>: any bytes as an Avro container file (with its header, and as header-less blocks with a known sync marker
/// and codec), fed in chunks. Checked: only <see cref="StreamFormatException"/> is thrown (a header that is not one),
/// every frame is a valid record of the writer's schema, and reading always ends.
/// </summary>
public static class OcfTarget
{
    private static readonly Avro.Schema s_schema = Avro.Schema.Parse(AvroFuzzSchemas.Writer);
    private static readonly byte[] s_sync = [.. Enumerable.Range(0, 16).Select(i => (byte)(0xA0 + i))];
    private static readonly string[] s_codecs = ["null", "deflate", "snappy", "zstandard"];

    public static void Run(byte[] data)
    {
        if (data.Length < 1)
        {
            return;
        }

        int chunk = data[0] % 13;
        byte[] stream = data[1..];
        var withHeader = new OcfBlockFramer(new OcfReadOptions(null), maxRecordSize: 4096);
        List<byte[]>? frames = null;
        Exception? error = FuzzCheck.Catch(() => frames = ReadAll(withHeader, stream, chunk));
        AvroBinaryTarget.Only(error, "the ocf framer (header)");
        if (frames is not null && withHeader.WriterSchema is { } writer)
        {
            var checker = new AvroBinarySchemaChecker(writer);
            foreach (byte[] frame in frames)
            {
                FuzzCheck.Require(AvroControl.StartsLikeControl(frame) || checker.TryCheck(frame, out _), "a frame that is not a record of the file's schema");
            }
        }

        string codec = s_codecs[data[0] % s_codecs.Length];
        var headerless = new OcfBlockFramer(new OcfReadOptions(s_schema, HasHeader: false, SyncMarker: s_sync, Codec: codec, StartsMidFile: data[0] % 2 == 0), maxRecordSize: 4096);
        frames = null;
        error = FuzzCheck.Catch(() => frames = ReadAll(headerless, stream, chunk));
        FuzzCheck.Require(error is null, $"the header-less ocf framer threw: {error}");
        var schemaChecker = new AvroBinarySchemaChecker(s_schema);
        foreach (byte[] frame in frames!)
        {
            FuzzCheck.Require(AvroControl.StartsLikeControl(frame) || schemaChecker.TryCheck(frame, out _), "a header-less frame that is not a record of the schema");
        }
    }

    /// <summary>Reads a whole stream arriving in chunks (0: at once); frames may consume no bytes (records of a buffered block), so progress is bounded by a count.</summary>
    public static List<byte[]> ReadAll(Framer framer, byte[] stream, int chunk)
    {
        var frames = new List<byte[]>();
        var pending = new List<byte[]>();
        int start = 0;
        long budget = 100L * (stream.Length + 16) + 1000;
        while (true)
        {
            int end = chunk == 0 ? stream.Length : Math.Min(stream.Length, start + chunk);
            pending.Add(stream[start..end]);
            start = end;
            bool final = start == stream.Length;
            byte[] joined = [.. pending.SelectMany(p => p)];
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(joined));
            while (true)
            {
                FuzzCheck.Require(--budget > 0, "the framer makes no progress");
                long before = reader.Consumed;
                FrameStatus status = framer.TryReadFrame(ref reader, final, out ReadOnlySequence<byte> frame);
                if (status == FrameStatus.NeedMoreData)
                {
                    FuzzCheck.Require(reader.Consumed == before, "NeedMoreData moved the reader");
                    break;
                }

                if (status == FrameStatus.Frame)
                {
                    FuzzCheck.Require(frame.Length > 0 && frame.Length <= framer.MaxRecordSize, $"a frame of {frame.Length} bytes");
                    frames.Add(frame.ToArray());
                }
            }

            if (final)
            {
                FuzzCheck.Require(reader.End, "the final block was not consumed");
                return frames;
            }

            pending.Clear();
            pending.Add(joined[(int)reader.Consumed..]);
        }
    }
}
