using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Schemas;

using AllKinds = FastScore.Streams.Tests.Encodings.JsonPocoCodecTests.AllKinds;

namespace FastScore.Streams.Tests.Encodings;

/// <summary>
/// For a flat POCO and a flat record schema, the json encoding decodes a record in the same pass that proves it valid,
/// and writes outputs that are valid by construction, so neither is checked again. The proof must never accept a record
/// the schema checker would reject, and must decode exactly as the usual path: these tests compare the two.
/// </summary>
public sealed class ValidatingCodecTests
{
    private const string IrisSchema = """
        {"type": "record", "name": "Input", "fields": [
          {"name": "sepal_length", "type": "float"}, {"name": "sepal_width", "type": "float"},
          {"name": "petal_length", "type": "float"}, {"name": "petal_width", "type": "double"}]}
        """;

    private const string AllKindsSchema = """
        {"type": "record", "name": "AllKinds", "fields": [
          {"name": "F", "type": "float"}, {"name": "D", "type": "double"}, {"name": "I", "type": "int"},
          {"name": "L", "type": "long"}, {"name": "B", "type": "boolean"}, {"name": "S", "type": "string"},
          {"name": "ReadOnly", "type": "int", "default": 0}]}
        """;


    /// <summary>An iris record with one double, to bind a double property to a float field.</summary>
    public sealed class Iris
    {
        [JsonPropertyName("sepal_length")]
        public float SepalLength { get; set; }

        [JsonPropertyName("sepal_width")]
        public float SepalWidth { get; set; }

        [JsonPropertyName("petal_length")]
        public float PetalLength { get; set; }

        [JsonPropertyName("petal_width")]
        public double PetalWidth { get; set; }
    }

    public sealed class WideInt
    {
        public long A { get; set; }
    }

    public sealed class OneFloat
    {
        public float A { get; set; }
    }

    public sealed class OneDouble
    {
        public double A { get; set; }
    }

    private static Avro.Schema Schema(string json) => Avro.Schema.Parse(json);

    private static Avro.Schema Record(string fieldType, string extra = "") =>
        Schema($$"""{"type": "record", "name": "R", "fields": [{"name": "A", "type": {{fieldType}}}{{extra}}]}""");

    /// <summary>Proves mutants of valid records: every proven record passes the checker and decodes as the usual path decodes it.</summary>
    private static (int Proven, List<string> Wrong) ProveMutants<T>(string schemaJson, params string[] records)
    {
        Avro.Schema schema = Schema(schemaJson);
        var checker = new JsonAvroSchemaChecker(schema);
        ValidatingReader<T> reader = JsonRecordEncoding.Default.CreateValidatingReader<T>(schema) ?? throw new AssertionException("not bound");
        int proven = 0;
        var wrong = new List<string>();
        foreach (string text in records)
        {
            byte[] valid = Encoding.UTF8.GetBytes(text);
            Assert.That(reader.TryDecodeValid(valid, out _), Is.True, $"the valid record {text} is proven");
            foreach (byte[] mutant in JsonPocoCodecTests.Mutants(valid).Prepend(valid))
            {
                if (!reader.TryDecodeValid(mutant, out T value))
                {
                    continue;
                }

                proven++;
                string shown = Encoding.UTF8.GetString(mutant);
                if (!checker.TryCheck(mutant, out RecordRejection rejection))
                {
                    wrong.Add($"{shown}: proven, but the checker rejects it ({rejection.Reason})");
                }
                else if (JsonRecordEncoding.Default.TryReadControl(mutant, out _))
                {
                    wrong.Add($"{shown}: proven, but it is a control record");
                }
                else if (JsonSerializer.Serialize(value) != JsonSerializer.Serialize(JsonRecordEncoding.Default.Decode<T>(mutant)))
                {
                    wrong.Add($"{shown}: decoded as {JsonSerializer.Serialize(value)}, not as the usual path decodes it");
                }
            }
        }

        return (proven, wrong);
    }

    [Test]
    public void Mutated_iris_records_are_proven_only_when_the_checker_accepts_them()
    {
        (int proven, List<string> wrong) = ProveMutants<Iris>(IrisSchema,
            """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""",
            """{"petal_width":0.2,"petal_length":1.4,"sepal_width":3.5,"sepal_length":5.1}""");
        Assert.Multiple(() =>
        {
            Assert.That(wrong.Take(20), Is.Empty);
            Assert.That(proven, Is.GreaterThan(100), "mutants that stay valid (other digits, spaces) are proven too");
        });
    }

    [Test]
    public void Mutated_records_of_every_kind_are_proven_only_when_the_checker_accepts_them()
    {
        (int proven, List<string> wrong) = ProveMutants<AllKinds>(AllKindsSchema,
            """{"F": 2.25, "D": -1.5, "I": -7, "L": 123456789012, "B": true, "S": "text"}""",
            """{"S":"","B":false,"L":0,"I":0,"D":0.0,"F":-0.0}""");
        Assert.Multiple(() =>
        {
            Assert.That(wrong.Take(20), Is.Empty);
            Assert.That(proven, Is.GreaterThan(100));
        });
    }

    [TestCase("""{"F": 1, "D": 1, "I": 1, "L": 1, "B": true, "S": "x", "F": 2}""", Description = "duplicate field")]
    [TestCase("""{"D": 1, "I": 1, "L": 1, "B": true, "S": "x"}""", Description = "missing required field")]
    [TestCase("""{"F": 1, "D": 1, "I": 1, "L": 1, "B": true, "S": null}""", Description = "null for a string")]
    [TestCase("""{"F": 1, "D": 1, "I": 1, "L": 1, "B": true, "S": "x", "ReadOnly": 2}""", Description = "a field without a setter")]
    [TestCase("""{"F": 1, "D": 1, "I": 1, "L": 1, "B": true, "S": "x", "Other": 2}""", Description = "unknown field")]
    [TestCase("""{"F": 1e40, "D": 1, "I": 1, "L": 1, "B": true, "S": "x"}""", Description = "float out of range")]
    [TestCase("""{"F": 1, "D": 1, "I": 3000000000, "L": 1, "B": true, "S": "x"}""", Description = "int out of range")]
    [TestCase("""{"$fastscore": "end"}""", Description = "control record")]
    public void Records_the_proof_cannot_vouch_for_take_the_usual_way(string text)
    {
        ValidatingReader<AllKinds> reader = JsonRecordEncoding.Default.CreateValidatingReader<AllKinds>(Schema(AllKindsSchema))!;
        Assert.That(reader.TryDecodeValid(Encoding.UTF8.GetBytes(text), out _), Is.False);
    }

    [Test]
    public void Only_types_whose_values_always_fit_the_field_type_are_bound()
    {
        JsonRecordEncoding json = JsonRecordEncoding.Default;
        Assert.Multiple(() =>
        {
            // reading: what the codec reads must be valid for the field
            Assert.That(json.CreateValidatingReader<WideInt>(Record("\"long\"")), Is.Not.Null);
            Assert.That(json.CreateValidatingReader<WideInt>(Record("\"double\"")), Is.Not.Null);
            Assert.That(json.CreateValidatingReader<WideInt>(Record("\"int\"")), Is.Null, "a long may not fit an int");
            Assert.That(json.CreateValidatingReader<OneDouble>(Record("\"float\"")), Is.Not.Null, "plain decimals of 15 digits fit a float");
            Assert.That(json.CreateValidatingReader<OneFloat>(Record("\"string\"")), Is.Null);
            Assert.That(json.CreateValidatingReader<OneFloat>(Record("[\"null\", \"float\"]")), Is.Null, "unions are checked as usual");
            Assert.That(json.CreateValidatingReader<WideInt>(Record("{\"type\": \"long\", \"logicalType\": \"time-micros\"}")), Is.Null, "logical types have ranges");
            Assert.That(json.CreateValidatingReader<OneFloat>(Record("\"float\"", ", {\"name\": \"B\", \"type\": \"int\"}")), Is.Null, "a required field the type lacks");
            Assert.That(json.CreateValidatingReader<OneFloat>(Record("\"float\"", ", {\"name\": \"B\", \"type\": \"int\", \"default\": 1}")), Is.Not.Null, "an optional one");
            Assert.That(json.CreateValidatingReader<OneFloat>(Schema("""{"type": "record", "name": "R", "fields": [{"name": "a", "type": "float"}]}""")), Is.Null, "names are case-sensitive");
            Assert.That(json.CreateValidatingReader<OneFloat>(Schema("\"float\"")), Is.Null, "not a record");
            Assert.That(json.CreateValidatingReader<OneFloat>(null), Is.Not.Null, "JSON syntax only");
            Assert.That(json.CreateValidatingReader<JsonElement>(Record("\"float\"")), Is.Null, "not a POCO");

            // writing: every value the type can hold must be valid for the field
            Assert.That(json.CreateValidatingWriter<OneDouble>(Record("\"float\"")), Is.Null, "a double may not fit a float");
            Assert.That(json.CreateValidatingWriter<OneDouble>(Record("\"double\"")), Is.Not.Null);
            Assert.That(json.CreateValidatingWriter<OneFloat>(Record("\"double\"")), Is.Not.Null);
            Assert.That(json.CreateValidatingWriter<AllKinds>(Schema(AllKindsSchema)), Is.Not.Null);
            Assert.That(json.CreateValidatingWriter<AllKinds>(Schema(AllKindsSchema.Replace(""", "default": 0""", "", StringComparison.Ordinal))), Is.Not.Null,
                "ReadOnly is written, so it may be required");
            Assert.That(json.CreateValidatingWriter<Iris>(Record("\"float\"")), Is.Null, "properties the schema does not have");
        });
    }

    [Test]
    public void Values_written_valid_pass_the_checker_and_are_what_the_serializer_writes()
    {
        Avro.Schema schema = Schema(AllKindsSchema);
        var checker = new JsonAvroSchemaChecker(schema);
        JsonPocoCodec<AllKinds> writer = JsonRecordEncoding.Default.CreateValidatingWriter<AllKinds>(schema)!;
        var random = new Random(5);
        var values = new List<AllKinds>
        {
            new(),
            new() { F = float.MaxValue, D = double.MinValue, I = int.MinValue, L = long.MaxValue, B = true, S = "" },
            new() { F = float.Epsilon, D = -double.Epsilon, I = int.MaxValue },
            new() { F = -0f, D = -0.0, S = "plain ASCII, with punctuation: !#$%()*,-./:;=?@[]^_{|}~" },
        };
        for (int i = 0; i < 3000; i++)
        {
            values.Add(new AllKinds
            {
                F = BitConverter.Int32BitsToSingle(random.Next()) is var f && float.IsFinite(f) ? f : (float)random.NextDouble(),
                D = random.NextDouble() * Math.Pow(10, random.Next(-300, 300)),
                I = random.Next(int.MinValue, int.MaxValue),
                L = random.NextInt64(long.MinValue, long.MaxValue),
                B = random.Next(2) == 0,
                S = new string((char)random.Next(32, 127), random.Next(0, 4)),
            });
        }

        var wrong = new List<string>();
        int written = 0;
        foreach (AllKinds value in values)
        {
            var output = new ArrayBufferWriter<byte>();
            if (!writer.TryWriteValid(value, output))
            {
                continue;
            }

            written++;
            string text = Encoding.UTF8.GetString(output.WrittenSpan);
            if (!checker.TryCheck(output.WrittenSpan, out RecordRejection rejection))
            {
                wrong.Add($"{text}: {rejection.Reason}");
            }
            else if (text != JsonSerializer.Serialize(value))
            {
                wrong.Add($"{text} is not {JsonSerializer.Serialize(value)}");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(wrong.Take(10), Is.Empty);
            Assert.That(written, Is.GreaterThan(values.Count * 9 / 10), "the fast path writes nearly all of them");
        });
    }

    [Test]
    public void Values_that_would_be_invalid_are_declined_and_nothing_is_written()
    {
        JsonPocoCodec<AllKinds> writer = JsonRecordEncoding.Default.CreateValidatingWriter<AllKinds>(Schema(AllKindsSchema))!;
        var output = new ArrayBufferWriter<byte>();
        Assert.Multiple(() =>
        {
            Assert.That(writer.TryWriteValid(new AllKinds { S = null }, output), Is.False, "null is not a string");
            Assert.That(writer.TryWriteValid(new AllKinds { F = float.NaN }, output), Is.False);
            Assert.That(writer.TryWriteValid(new AllKinds { D = double.PositiveInfinity }, output), Is.False);
            Assert.That(writer.TryWriteValid(null!, output), Is.False);
            Assert.That(output.WrittenCount, Is.Zero);
        });
    }
}

/// <summary>The validating paths inside real streams: the same records are accepted, rejected and counted as before.</summary>
public sealed class ValidatingStreamTests
{
    private const string IrisSchema = """
        {"type": "record", "name": "Input", "fields": [
          {"name": "sepal_length", "type": "float"}, {"name": "sepal_width", "type": "float"},
          {"name": "petal_length", "type": "float"}, {"name": "petal_width", "type": "double"}]}
        """;

    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-validating-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task An_input_stream_decodes_valid_records_and_still_rejects_the_others_with_their_reasons()
    {
        string path = Path.Combine(_dir, "in.jsons");
        File.WriteAllLines(path,
        [
            """{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}""",
            """{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2, "sepal_length": 6}""",
            """{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4}""",
            """{"$fastscore": "set"}""",
            """{"sepal_length": "5.1", "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}""",
            """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""",
        ]);
        var rejected = new List<RejectedRecord>();
        await using InputStream input = new StreamFactory().CreateInput(
            StreamDescriptor.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Schema": {{IrisSchema}}}"""),
            new StreamOpenOptions { Name = "in", Slot = 0, OnRejected = rejected.Add });
        var values = new List<string>();
        await foreach (ValidatingCodecTests.Iris iris in input.ReadAllAsync<ValidatingCodecTests.Iris>())
        {
            values.Add($"{iris.SepalLength} {iris.SepalWidth} {iris.PetalLength} {iris.PetalWidth}");
        }

        Assert.Multiple(() =>
        {
            Assert.That(values, Is.EqualTo(new[] { "5.1 3.5 1.4 0.2", "6.9 3.1 5.4 2.1" }));
            Assert.That(rejected.Select(r => (r.RecordNumber, r.Kind, r.Reason)), Is.EqualTo(new[]
            {
                (2L, RejectionKind.Schema, "$.sepal_length: duplicate field"),
                (3L, RejectionKind.Schema, "$: missing required field 'petal_width'"),
                (4L, RejectionKind.Schema, "$.sepal_length: expected float, got \"5.1\""),
            }));
            Assert.That(input.Counters.Records, Is.EqualTo(2));
            Assert.That(input.Counters.RejectedBySchema, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task An_output_stream_writes_valid_values_unchecked_and_still_rejects_invalid_ones()
    {
        const string schema = """{"type": "record", "name": "Out", "fields": [{"name": "F", "type": "float"}, {"name": "S", "type": "string"}]}""";
        string path = Path.Combine(_dir, "out.jsons");
        var rejected = new List<RejectedRecord>();
        await using (OutputStream output = new StreamFactory().CreateOutput(
            StreamDescriptor.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Schema": {{schema}}}"""),
            new StreamOpenOptions { Name = "out", Slot = 1, OnRejected = rejected.Add }))
        {
            Assert.That(await output.WriteAsync(new Out { F = 1.5f, S = "a" }), Is.True);
            Assert.That(await output.WriteAsync(new Out { F = 2f, S = null }), Is.False);
            Assert.That(await output.WriteAsync(new Out { F = float.NaN, S = "b" }), Is.False);
            Assert.That(await output.WriteAsync(new Out { F = -0.25f, S = "c" }), Is.True);
            await output.CompleteAsync();
            Assert.Multiple(() =>
            {
                Assert.That(output.Counters.Records, Is.EqualTo(2));
                Assert.That(output.Counters.RejectedBySchema, Is.EqualTo(1));
                Assert.That(output.Counters.RejectedByEncoding, Is.EqualTo(1));
            });
        }

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(path), Is.EqualTo(new[] { """{"F":1.5,"S":"a"}""", """{"F":-0.25,"S":"c"}""" }));
            Assert.That(rejected.Select(r => (r.RecordNumber, r.Kind)), Is.EqualTo(new[] { (2L, RejectionKind.Schema), (3L, RejectionKind.Encoding) }));
            Assert.That(rejected[0].Reason, Does.Contain("$.S"));
        });
    }

    public sealed class Out
    {
        public float F { get; set; }

        public string? S { get; set; }
    }
}
