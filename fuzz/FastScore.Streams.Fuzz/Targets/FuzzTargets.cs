using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Fuzz;

/// <summary>
/// The fuzz targets: each takes any bytes and runs them through one family of FastScore.Streams' input paths,
/// checking that bad input is accepted or rejected the documented way and never throws anything else, and that what is
/// accepted agrees with System.Text.Json (or with a reference implementation). A violated invariant throws
/// <see cref="FuzzInvariantException"/>; an unexpected exception escapes as it is. Both are crashes for the fuzzer and
/// failures for the property and regression tests, which call the same targets.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Gets the targets by name.</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["framers"] = FramerTarget.Run,
        ["stream"] = StreamTarget.Run,
        ["json-poco"] = JsonPocoTarget.Run,
        ["json-schema"] = JsonSchemaTarget.Run,
        ["json-values"] = JsonValuesTarget.Run,
        ["text"] = TextTarget.Run,
        ["descriptor"] = DescriptorTarget.Run,
        ["avro-binary"] = AvroBinaryTarget.Run,
        ["ocf"] = OcfTarget.Run,
        ["csv"] = CsvTarget.Run,
        ["delimited-csv"] = DelimitedCsvTarget.Run,
        ["http-chunked"] = HttpChunkedTarget.Run,
        ["netstring-kv"] = NetstringKvTarget.Run,
    };
}

/// <summary>An invariant of a fuzz target does not hold: a defect (the fuzzer reports it as a crash).</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);

/// <summary>Helpers shared by the targets.</summary>
public static class FuzzCheck
{
    public static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }

    /// <summary>Runs <paramref name="action"/>; returns the exception it threw, or <see langword="null"/>.</summary>
    public static Exception? Catch(Action action)
    {
        try
        {
            action();
            return null;
        }
#pragma warning disable CA1031 // the oracle: any exception is a verdict to compare
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    /// <summary>Whether every string and key of a parsed JSON value can be read as text (what STJ itself throws on otherwise).</summary>
    public static bool AllText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Catch(() => element.GetString()) is null;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (Catch(() => _ = property.Name) is not null || !AllText(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (!AllText(item))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    /// <summary>System.Text.Json's verdict on a record: the parsed document (cloned), or <see langword="null"/> when it is not one JSON value.</summary>
    public static JsonElement? Parse(byte[] data)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(data);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Show(byte[] data) => data.Length <= 200 ? Convert.ToHexString(data) : Convert.ToHexString(data.AsSpan(0, 200)) + "…";
}

/// <summary>
/// <c>framers</c>: the delimited, fixed and none envelopes, fed in chunks as a pipe would. The first bytes choose the
/// envelope, its limit and oversize policy, and the chunk size; the rest is the stream. Checked: the framer contract
/// (a frame or a skip consumes bytes, more-data leaves the reader unmoved, the final block is consumed), frames within
/// the limit, only <see cref="StreamFormatException"/> thrown, and, without oversized records, exactly the frames of a
/// reference split.
/// </summary>
public static class FramerTarget
{
    private static readonly byte[][] s_separators = ["\n"u8.ToArray(), "\r\n"u8.ToArray(), "<|>"u8.ToArray(), "☮"u8.ToArray()];

    public static void Run(byte[] data)
    {
        if (data.Length < 4)
        {
            return;
        }

        int kind = data[0] % 3;
        byte[] separator = s_separators[data[1] % s_separators.Length];
        int size = 1 + (data[1] % 16);
        int max = data[2] >= 200 ? EnvelopeDescriptor.DefaultMaxRecordSize : 1 + (data[2] % 48);
        var policy = (OversizePolicy)(data[3] % 3);
        int chunk = data[3] / 3 % 17; // 0: the whole stream at once
        byte[] stream = data[4..];
        Framer framer = kind switch
        {
            0 => new DelimitedFramer(separator, max, policy),
            1 => new FixedFramer(size, max, policy),
            _ => new NoneFramer(max, policy),
        };

        List<byte[]> frames;
        try
        {
            frames = Read(framer, stream, chunk);
        }
        catch (StreamFormatException)
        {
            return; // oversized with Fail, or a partial fixed record at the end: documented
        }

        foreach (byte[] frame in frames)
        {
            FuzzCheck.Require(frame.Length <= max, $"a frame of {frame.Length} bytes is longer than MaxRecordSize {max}");
        }

        if (framer.OversizedRecords == 0)
        {
            List<byte[]> expected = kind switch
            {
                0 => SplitDelimited(stream, separator),
                1 => SplitFixed(stream, size),
                _ => stream.Length == 0 ? [] : [stream],
            };
            FuzzCheck.Require(expected.Count == frames.Count && expected.Zip(frames).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
                $"{framer.GetType().Name} framed {frames.Count} records, the reference {expected.Count}");
        }
    }

    /// <summary>Reads every frame, the input arriving in chunks of <paramref name="chunk"/> bytes (0: at once), unconsumed bytes kept as a pipe keeps them.</summary>
    public static List<byte[]> Read(Framer framer, byte[] stream, int chunk)
    {
        var frames = new List<byte[]>();
        var pending = new List<byte[]>();
        int start = 0;
        while (true)
        {
            int end = chunk == 0 ? stream.Length : Math.Min(stream.Length, start + chunk);
            pending.Add(stream[start..end]);
            start = end;
            bool final = start == stream.Length;
            ReadOnlySequence<byte> buffer = Segments(pending);
            var reader = new SequenceReader<byte>(buffer);
            for (int guard = 0; ; guard++)
            {
                FuzzCheck.Require(guard <= buffer.Length + 2, "the framer makes no progress");
                long before = reader.Consumed;
                FrameStatus status = framer.TryReadFrame(ref reader, final, out ReadOnlySequence<byte> frame);
                if (status == FrameStatus.NeedMoreData)
                {
                    FuzzCheck.Require(reader.Consumed == before, "NeedMoreData moved the reader");
                    break;
                }

                FuzzCheck.Require(reader.Consumed > before, $"{status} consumed nothing");
                if (status == FrameStatus.Frame)
                {
                    frames.Add(frame.ToArray());
                }
            }

            if (final)
            {
                FuzzCheck.Require(reader.End, "the final block was not consumed");
                return frames;
            }

            pending.Clear();
            foreach (ReadOnlyMemory<byte> segment in buffer.Slice(reader.Position))
            {
                pending.Add(segment.ToArray());
            }
        }
    }

    /// <summary>The delimited envelope's records: split at each separator; an empty record at the very end is dropped.</summary>
    public static List<byte[]> SplitDelimited(byte[] stream, byte[] separator)
    {
        var records = new List<byte[]>();
        ReadOnlySpan<byte> rest = stream;
        while (true)
        {
            int at = rest.IndexOf(separator);
            if (at < 0)
            {
                if (!rest.IsEmpty)
                {
                    records.Add(rest.ToArray());
                }

                return records;
            }

            records.Add(rest[..at].ToArray());
            rest = rest[(at + separator.Length)..];
        }
    }

    private static List<byte[]> SplitFixed(byte[] stream, int size)
    {
        FuzzCheck.Require(stream.Length % size == 0, $"a stream of {stream.Length} bytes is not a whole number of {size}-byte records, but no error was raised");
        return [.. stream.Chunk(size)];
    }

    private static ReadOnlySequence<byte> Segments(List<byte[]> parts)
    {
        if (parts.Count == 1)
        {
            return new ReadOnlySequence<byte>(parts[0]);
        }

        Segment first = new(parts[0]);
        Segment last = first;
        for (int i = 1; i < parts.Count; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}

/// <summary>The POCOs the decoders are fuzzed with (the codec's fast paths are built for such flat types).</summary>
public sealed class FuzzIris
{
    [JsonPropertyName("sepal_length")]
    public float SepalLength { get; set; }

    [JsonPropertyName("sepal_width")]
    public float SepalWidth { get; set; }

    [JsonPropertyName("petal_length")]
    public float PetalLength { get; set; }

    [JsonPropertyName("petal_width")]
    public float PetalWidth { get; set; }
}

/// <inheritdoc cref="FuzzIris"/>
public sealed class FuzzScalars
{
    public float F { get; set; }

    public double D { get; set; }

    public int I { get; set; }

    public long L { get; set; }

    public bool B { get; set; }

    public string? S { get; set; }
}

/// <summary>Schemas the checkers are fuzzed with.</summary>
public static class FuzzSchemas
{
    public const string Iris = """{"type":"record","name":"xgboost_input","fields":[{"name":"sepal_length","type":"float"},{"name":"sepal_width","type":"float"},{"name":"petal_length","type":"float"},{"name":"petal_width","type":"float"}]}""";

    public const string Scalars = """{"type":"record","name":"S","fields":[{"name":"F","type":"float"},{"name":"D","type":"double"},{"name":"I","type":"int"},{"name":"L","type":"long"},{"name":"B","type":"boolean"},{"name":"S","type":["null","string"]}]}""";

    public const string Rich = """
        {"type":"record","name":"R","fields":[
          {"name":"s","type":"string","default":""},
          {"name":"m","type":{"type":"map","values":["null","int","string"]},"default":{}},
          {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]},"default":"A"},
          {"name":"b","type":"bytes","default":""},
          {"name":"x","type":{"type":"fixed","name":"X","size":2},"default":"ab"},
          {"name":"u","type":["null",{"type":"string","logicalType":"uuid"}],"default":null},
          {"name":"a","type":{"type":"array","items":["double","boolean"]},"default":[]},
          {"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2},"default":"\u0000"},
          {"name":"t","type":{"type":"int","logicalType":"date"},"default":0},
          {"name":"n","type":["null",{"type":"record","name":"N","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","N"]}]}],"default":null}
        ]}
        """;

    /// <summary>Valid records, one per schema, that teach each checker its usual key order (so the emitted in-order scanner is fuzzed too).</summary>
    public static IReadOnlyList<(string Schema, string Record)> Learned { get; } =
    [
        (Iris, """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}"""),
        (Scalars, """{"F": 1.5, "D": -0.25, "I": -12, "L": 9007199254740993, "B": true, "S": "x y"}"""),
        (Rich, """{"s": "é", "m": {"k": 1}, "e": "B", "b": "\u00ff", "x": "zz", "u": null, "a": [1.5, true], "d": 12.5, "t": 3, "n": {"v": 1, "next": null}}"""),
    ];
}

/// <summary>
/// <c>json-poco</c>: decoding records to flat POCOs: the encoding's <c>Decode</c> (its emitted in-order reader, general
/// reader and serializer fallback), each reader on its own, and the validating reader that proves records valid while
/// decoding. Whatever is accepted must be exactly what <see cref="JsonSerializer"/> gives; what it rejects, the encoding rejects.
/// </summary>
public static class JsonPocoTarget
{
    private static readonly Avro.Schema s_iris = Avro.Schema.Parse(FuzzSchemas.Iris);
    private static readonly Avro.Schema s_scalars = Avro.Schema.Parse(FuzzSchemas.Scalars);

    public static void Run(byte[] data)
    {
        Check<FuzzIris>(data, s_iris, (a, b) => Same(a.SepalLength, b.SepalLength) && Same(a.SepalWidth, b.SepalWidth) && Same(a.PetalLength, b.PetalLength) && Same(a.PetalWidth, b.PetalWidth));
        Check<FuzzScalars>(data, s_scalars, (a, b) => Same(a.F, b.F) && a.D.Equals(b.D) && a.I == b.I && a.L == b.L && a.B == b.B && a.S == b.S);
    }

    private static bool Same(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);

    private static void Check<T>(byte[] data, Avro.Schema schema, Func<T, T, bool> same)
        where T : class
    {
        T? expected = null;
        Exception? stj = FuzzCheck.Catch(() => expected = JsonSerializer.Deserialize<T>(data));

        T? decoded = null;
        Exception? ours = FuzzCheck.Catch(() => decoded = JsonRecordEncoding.Default.Decode<T>(data));
        if (ours is not null and not StreamFormatException)
        {
            throw new FuzzInvariantException($"Decode<{typeof(T).Name}> threw {ours.GetType().Name}, not StreamFormatException: {ours}");
        }

        FuzzCheck.Require((ours is null) == (stj is null), $"Decode<{typeof(T).Name}> {(ours is null ? "accepted" : "rejected")} what the serializer {(stj is null ? "accepted" : "rejected")}: {ours?.Message ?? stj?.Message}");
        if (ours is null)
        {
            FuzzCheck.Require(decoded is null ? expected is null : expected is not null && same(decoded, expected), $"Decode<{typeof(T).Name}> gave another value than the serializer");
        }

        JsonPocoCodec<T> codec = Codec<T>.Instance;
        if (codec.InOrderReader is { } inOrder && inOrder.TryRead(data, out T? read))
        {
            FuzzCheck.Require(stj is null && expected is not null && same(read!, expected), $"the emitted in-order reader accepted what the serializer {(stj is null ? "reads otherwise" : "rejects")}");
        }

        if (codec.TryReadAnyOrder(data, out T any, out _, out _))
        {
            FuzzCheck.Require(stj is null && expected is not null && same(any, expected), $"the general reader accepted what the serializer {(stj is null ? "reads otherwise" : "rejects")}");
        }

        if (JsonRecordEncoding.Default.CreateValidatingReader<T>(schema) is { } validating && validating.TryDecodeValid(data, out T valid))
        {
            var checker = new JsonAvroSchemaChecker(schema);
            FuzzCheck.Require(checker.TryCheck(data, out RecordRejection rejection), $"the validating reader accepted a record the checker rejects: {rejection.Reason}");
            FuzzCheck.Require(stj is null && expected is not null && same(valid, expected), "the validating reader gave another value than the serializer");
        }
    }

    private static class Codec<T>
    {
        public static readonly JsonPocoCodec<T> Instance =
            JsonPocoCodec<T>.TryCreate((JsonTypeInfo<T>)JsonSerializerOptions.Default.GetTypeInfo(typeof(T))) ?? throw new InvalidOperationException($"no codec for {typeof(T).Name}");
    }
}

/// <summary>
/// <c>json-schema</c>: the Avro schema checker of json records (its emitted in-order scanner, general scanner and full
/// check) on three schemas. Checked: it never throws; a fast-path acceptance is an acceptance of the full check; what
/// System.Text.Json cannot parse is rejected by encoding; what is accepted is JSON whose strings are all text; an
/// accepted iris record decodes.
/// </summary>
public static class JsonSchemaTarget
{
    private static readonly JsonAvroSchemaChecker[] s_checkers = [.. FuzzSchemas.Learned.Select(Learn)];

    private static JsonAvroSchemaChecker Learn((string Schema, string Record) pair)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(pair.Schema));
        if (!checker.TryCheck(Encoding.UTF8.GetBytes(pair.Record), out RecordRejection rejection))
        {
            throw new InvalidOperationException($"The learning record is invalid: {rejection.Reason}");
        }

        return checker;
    }

    public static void Run(byte[] data)
    {
        JsonElement? parsed = FuzzCheck.Parse(data);
        bool utf8 = System.Text.Unicode.Utf8.IsValid(data);
        for (int i = 0; i < s_checkers.Length; i++)
        {
            JsonAvroSchemaChecker checker = s_checkers[i];
            bool accepted = checker.TryCheck(data, out RecordRejection rejection);
            bool fullAccepts = utf8 && checker.FullCheck(data, out _);
            FuzzCheck.Require(accepted == fullAccepts, $"schema {i}: TryCheck says {accepted}, the full check {fullAccepts} ({rejection.Reason})");
            if (checker.InOrderScanner is { } inOrder && inOrder.Accepts(data))
            {
                FuzzCheck.Require(fullAccepts, $"schema {i}: the emitted in-order scanner accepted what the full check rejects");
            }

            if (checker.GeneralAccepts(data))
            {
                FuzzCheck.Require(fullAccepts, $"schema {i}: the general scanner accepted what the full check rejects");
            }

            if (parsed is null)
            {
                FuzzCheck.Require(!accepted && rejection.Kind == RejectionKind.Encoding, $"schema {i}: System.Text.Json cannot parse the record, but it was {(accepted ? "accepted" : "rejected by schema")}");
            }

            if (accepted)
            {
                FuzzCheck.Require(parsed is not null && utf8 && FuzzCheck.AllText(parsed.Value), $"schema {i}: accepted a record that is not JSON text");
                if (i == 0)
                {
                    Exception? decode = FuzzCheck.Catch(() => JsonRecordEncoding.Default.Decode<FuzzIris>(data));
                    FuzzCheck.Require(decode is null, $"an accepted iris record does not decode: {decode?.Message}");
                }
            }
            else
            {
                FuzzCheck.Require(!string.IsNullOrEmpty(rejection.Reason), $"schema {i}: a rejection without a reason");
            }
        }
    }
}

/// <summary>
/// <c>json-values</c>: the json encoding's other host types and checks: the syntax checker (no schema), JsonElement,
/// JsonNode, string, bytes, collections through the serializer, and control records. Each agrees with System.Text.Json.
/// </summary>
public static class JsonValuesTarget
{
    public static void Run(byte[] data)
    {
        JsonRecordEncoding json = JsonRecordEncoding.Default;
        JsonElement? parsed = FuzzCheck.Parse(data);
        bool text = parsed is { } root && System.Text.Unicode.Utf8.IsValid(data) && FuzzCheck.AllText(root);

        bool syntax = JsonSyntaxChecker.Instance.TryCheck(data, out RecordRejection rejection);
        FuzzCheck.Require(syntax == text, $"the syntax checker says {syntax} ({rejection.Reason}); System.Text.Json parses it: {parsed is not null}, all text: {text}");
        FuzzCheck.Require(syntax || rejection.Kind == RejectionKind.Encoding, "a syntax rejection is not by encoding");
        if (FastScore.Streams.Schemas.Json.FastJson.AcceptsAnyValue(data))
        {
            FuzzCheck.Require(JsonSyntaxChecker.FullCheck(data, out _), "the syntax checker's fast scanner accepted what the full check rejects");
        }

        JsonElement element = default;
        Exception? elementError = FuzzCheck.Catch(() => element = json.Decode<JsonElement>(data));
        Expect(elementError, parsed is not null, "JsonElement");
        if (elementError is null)
        {
            FuzzCheck.Require(JsonMarshal.GetRawUtf8Value(element).SequenceEqual(JsonMarshal.GetRawUtf8Value(parsed!.Value)), "Decode<JsonElement> differs from JsonDocument.Parse");
            var output = new ArrayBufferWriter<byte>();
            Exception? encodeError = FuzzCheck.Catch(() => json.Encode(element, output));
            if (encodeError is null)
            {
                // What the encoding writes, it reads back, and writes again the same.
                JsonElement back = json.Decode<JsonElement>(output.WrittenSpan);
                var again = new ArrayBufferWriter<byte>();
                json.Encode(back, again);
                FuzzCheck.Require(again.WrittenSpan.SequenceEqual(output.WrittenSpan), "a JsonElement does not read back as written");
            }
            else
            {
                FuzzCheck.Require(!text && encodeError is ArgumentException or InvalidOperationException or StreamFormatException,
                    $"Encode<JsonElement> threw {encodeError.GetType().Name} for {(text ? "text" : "a record that is not text")}: {encodeError.Message}");
            }
        }

        JsonNode? node = null;
        JsonNode? expectedNode = null;
        Exception? nodeStj = FuzzCheck.Catch(() => expectedNode = JsonNode.Parse(data));
        Exception? nodeError = FuzzCheck.Catch(() => node = json.Decode<JsonNode>(data));
        Expect(nodeError, nodeStj is null, "JsonNode");
        if (nodeError is null)
        {
            FuzzCheck.Require(Written(node) == Written(expectedNode), "Decode<JsonNode> differs from JsonNode.Parse");
        }

        Agree<string>(data, "string", (a, b) => a == b);
        Agree<double[]>(data, "double[]", (a, b) => a is null ? b is null : b is not null && a.SequenceEqual(b));
        Agree<Dictionary<string, int>>(data, "Dictionary<string, int>", (a, b) => a is null ? b is null : b is not null && a.Count == b.Count && !a.Except(b).Any());

        byte[] bytes = json.Decode<byte[]>(data);
        FuzzCheck.Require(bytes.AsSpan().SequenceEqual(data), "Decode<byte[]> changed the bytes");

        if (json.TryReadControl(data, out ControlRecord control))
        {
            FuzzCheck.Require(parsed is not null && control.Kind is ControlKind.End or ControlKind.Set or ControlKind.Pig, "a control record that is not a JSON object of a known kind");
        }
    }

    // A node's JSON text, or the type of what writing it throws (duplicate keys, strings that are not text).
    private static string Written(JsonNode? node)
    {
        string text = "null";
        Exception? error = FuzzCheck.Catch(() => text = node?.ToJsonString() ?? "null");
        return error is null ? text : error.GetType().Name;
    }

    private static void Expect(Exception? error, bool accept, string type)
    {
        if (error is not null and not StreamFormatException)
        {
            throw new FuzzInvariantException($"Decode<{type}> threw {error.GetType().Name}, not StreamFormatException: {error}");
        }

        FuzzCheck.Require((error is null) == accept, $"Decode<{type}> {(error is null ? "accepted" : "rejected")} what System.Text.Json {(accept ? "accepts" : "rejects")}: {error?.Message}");
    }

    private static void Agree<T>(byte[] data, string name, Func<T?, T?, bool> same)
    {
        T? expected = default;
        T? decoded = default;
        Exception? stj = FuzzCheck.Catch(() => expected = JsonSerializer.Deserialize<T>(data));
        Exception? ours = FuzzCheck.Catch(() => decoded = JsonRecordEncoding.Default.Decode<T>(data));
        Expect(ours, stj is null, name);
        if (ours is null)
        {
            FuzzCheck.Require(same(decoded, expected), $"Decode<{name}> differs from the serializer");
        }
    }
}

/// <summary>
/// <c>text</c>: the utf-8 and raw (null) encodings and their checkers: a utf-8 record is accepted exactly when it is
/// UTF-8 and reads back as written; raw bytes are taken as they are; control-record readers never throw.
/// </summary>
public static class TextTarget
{
    private static readonly SchemaChecker s_utf8Schema = new Utf8AvroSchemaChecker(Avro.Schema.Parse("\"string\""));
    private static readonly SchemaChecker s_utf8Only = Utf8OnlyChecker.Instance;
    private static readonly SchemaChecker s_bytes = new BytesAvroSchemaChecker(Avro.Schema.Parse("\"bytes\""));

    public static void Run(byte[] data)
    {
        bool valid = System.Text.Unicode.Utf8.IsValid(data);
        Utf8RecordEncoding utf8 = Utf8RecordEncoding.Instance;
        string? decoded = null;
        Exception? error = FuzzCheck.Catch(() => decoded = utf8.Decode<string>(data));
        FuzzCheck.Require(error is null or StreamFormatException, $"utf-8 Decode<string> threw {error?.GetType().Name}");
        FuzzCheck.Require((error is null) == valid, $"utf-8 Decode<string> {(error is null ? "accepted" : "rejected")} {(valid ? "valid" : "invalid")} UTF-8");
        if (decoded is not null)
        {
            var output = new ArrayBufferWriter<byte>();
            utf8.Encode(decoded, output);
            FuzzCheck.Require(output.WrittenSpan.SequenceEqual(data), "a utf-8 record does not read back as written");
        }

        foreach (SchemaChecker checker in new[] { s_utf8Schema, s_utf8Only })
        {
            bool ok = checker.TryCheck(data, out RecordRejection rejection);
            FuzzCheck.Require(ok == valid && (ok || rejection.Kind == RejectionKind.Encoding), $"{checker.GetType().Name} says {ok} for {(valid ? "valid" : "invalid")} UTF-8");
        }

        FuzzCheck.Require(s_bytes.TryCheck(data, out _), "the bytes checker rejected a record");
        FuzzCheck.Require(utf8.Decode<byte[]>(data).AsSpan().SequenceEqual(data), "utf-8 Decode<byte[]> changed the bytes");
        FuzzCheck.Require(RawRecordEncoding.Instance.Decode<byte[]>(data).AsSpan().SequenceEqual(data), "raw Decode<byte[]> changed the bytes");
        FuzzCheck.Require(RawRecordEncoding.Instance.Decode<ReadOnlyMemory<byte>>(data).Span.SequenceEqual(data), "raw Decode<ReadOnlyMemory<byte>> changed the bytes");
        FuzzCheck.Require(RawRecordEncoding.Instance.Decode<string>(data) == Encoding.UTF8.GetString(data), "raw Decode<string> is not UTF-8 with replacement characters");
        _ = utf8.TryReadControl(data, out _);
        _ = RawRecordEncoding.Instance.TryReadControl(data, out _);
    }
}

/// <summary>
/// <c>stream</c>: whole input streams, end to end: an inline byte stream framed by the first byte's envelope, json
/// records checked against the iris schema and decoded to a POCO on the producer task. Checked: reading ends normally
/// (or, for a partial fixed record or an oversized one under Fail, with a StreamFormatException), and the values
/// delivered are exactly the frames the checker accepts, decoded by the serializer, in order.
/// </summary>
public static class StreamTarget
{
    private static readonly StreamFactory s_factory = new();

    public static void Run(byte[] data)
    {
        if (data.Length < 2)
        {
            return;
        }

        int kind = data[0] % 3;
        int max = 1 + (data[1] % 200);
        OversizePolicy policy = data[1] / 200 % 2 == 0 ? OversizePolicy.Reject : OversizePolicy.Truncate; // oversize is not an error here
        byte[] stream = data[2..];
        EnvelopeDescriptor? envelope = kind switch
        {
            0 => new DelimitedEnvelopeDescriptor { MaxRecordSize = max, OnOversize = policy },
            1 => new FixedEnvelopeDescriptor { Size = 90, MaxRecordSize = 8192, OnOversize = policy },
            _ => null, // the whole stream is one record
        };
        var descriptor = new StreamDescriptor
        {
            Transport = new InlineTransportDescriptor { Items = [stream], IsChunk = true },
            Envelope = envelope,
            Encoding = EncodingDescriptor.Json,
            Schema = SchemaReference.Inline(FuzzSchemas.Iris),
        };

        var rejected = new List<RejectedRecord>();
        var values = new List<FuzzIris>();
        Exception? error = FuzzCheck.Catch(() => ReadAll(descriptor, rejected, values).GetAwaiter().GetResult());
        if (error is StreamException && kind == 1 && stream.Length % 90 != 0)
        {
            return; // a partial fixed record at the end of the stream: documented
        }

        if (error is not null)
        {
            throw new FuzzInvariantException($"reading the stream failed: {error}");
        }

        foreach (RejectedRecord r in rejected)
        {
            FuzzCheck.Require(r.RecordNumber > 0 && r.Position is not null && r.Reason.Length > 0, $"a rejection without a record number, position or reason: {r}");
        }

        if (kind == 0 && FramerTarget.SplitDelimited(stream, "\n"u8.ToArray()).All(r => r.Length <= max))
        {
            var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(FuzzSchemas.Iris));
            var expected = new List<FuzzIris>();
            foreach (byte[] record in FramerTarget.SplitDelimited(stream, "\n"u8.ToArray()))
            {
                if (JsonRecordEncoding.Default.TryReadControl(record, out ControlRecord control))
                {
                    if (control.Kind == ControlKind.End)
                    {
                        break;
                    }

                    continue;
                }

                if (checker.TryCheck(record, out _))
                {
                    _ = FuzzCheck.Catch(() => expected.Add(JsonSerializer.Deserialize<FuzzIris>(record)!)); // checked, then decoded (or rejected by encoding)
                }
            }

            FuzzCheck.Require(values.Count == expected.Count && values.Zip(expected).All(p => JsonSerializer.Serialize(p.First) == JsonSerializer.Serialize(p.Second)),
                $"the stream delivered {values.Count} records, the reference {expected.Count}");
        }
    }

    private static async Task ReadAll(StreamDescriptor descriptor, List<RejectedRecord> rejected, List<FuzzIris> values)
    {
        await using InputStream input = s_factory.CreateInput(descriptor, new StreamOpenOptions { Name = "fuzz", Slot = 0, OnRejected = rejected.Add });
        await foreach (FuzzIris value in input.ReadAllAsync<FuzzIris>())
        {
            values.Add(value);
        }
    }
}

/// <summary>
/// <c>descriptor</c>: the descriptor reader (JSON descriptors, and stream literals for text that is not an object).
/// Checked: the result is a descriptor or a <see cref="DescriptorException"/> whose errors each name a field path (or
/// are about the document as a whole: malformed JSON, not an object, not text), never the reader's last-resort error;
/// an accepted descriptor writes out and reads back the same.
/// </summary>
public static class DescriptorTarget
{
    private static readonly string[] s_documentErrors = ["malformed JSON", "expected a JSON object", "the descriptor is not Unicode text", "the literal is not Unicode text"];

    public static void Run(byte[] data)
    {
        StreamDescriptor? descriptor = null;
        Exception? error = FuzzCheck.Catch(() => descriptor = StreamDescriptor.Parse(data));
        Check(error, descriptor, data);

        int start = data.AsSpan().IndexOfAnyExcept(" \t\r\n"u8);
        if (start >= 0 && data[start] != (byte)'{' && System.Text.Unicode.Utf8.IsValid(data))
        {
            string literal = Encoding.UTF8.GetString(data);
            descriptor = null;
            error = FuzzCheck.Catch(() => descriptor = StreamLiteral.Expand(literal));
            Check(error, descriptor, data, literal: true);
        }
    }

    private static void Check(Exception? error, StreamDescriptor? descriptor, byte[] data, bool literal = false)
    {
        string what = literal ? "the literal" : "the descriptor";
        if (error is DescriptorException invalid)
        {
            FuzzCheck.Require(invalid.Errors.Count > 0, $"{what}: a DescriptorException without errors");
            foreach (DescriptorError e in invalid.Errors)
            {
                FuzzCheck.Require(!e.Message.Contains("could not be read (", StringComparison.Ordinal), $"{what}: the reader's last-resort error: {e}");
                FuzzCheck.Require(e.Path.Length > 0 || literal || s_documentErrors.Any(d => e.Message.StartsWith(d, StringComparison.Ordinal)), $"{what}: an error without a field path: {e}");
            }

            return;
        }

        if (error is not null)
        {
            throw new FuzzInvariantException($"{what} threw {error.GetType().Name}, not DescriptorException: {error}");
        }

        string json = descriptor!.ToJson();
        _ = descriptor.ToDisplayJson();
        _ = descriptor.ToInternalJson();
        StreamDescriptor? back = null;
        Exception? again = FuzzCheck.Catch(() => back = StreamDescriptor.Parse(json));
        FuzzCheck.Require(again is null, $"{what}: the canonical form does not read back: {again?.Message}\n{json}");
        FuzzCheck.Require(back!.ToJson() == json, $"{what}: the canonical form reads back differently:\n{json}\n{back.ToJson()}");
    }
}
