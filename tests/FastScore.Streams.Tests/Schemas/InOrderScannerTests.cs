using System.Text;
using System.Text.Unicode;
using FastScore.Streams.Schemas;
using FastScore.Streams.Schemas.Json;
using FastScore.Streams.Tests.Encodings;

namespace FastScore.Streams.Tests.Schemas;

/// <summary>
/// For a flat record schema the JSON checker first tries a scanner emitted for the key order records come in (learned
/// from the first valid record with every field). It must accept exactly what the general scanner accepts for records
/// in that order, never a record the full check rejects, and stop being tried when records are usually in another order.
/// </summary>
public sealed class InOrderScannerTests
{
    private const string IrisSchema =
        """{"type":"record","name":"xgboost_input","fields":[{"name":"petal_length","type":"float"},{"name":"petal_width","type":"float"},{"name":"sepal_length","type":"float"},{"name":"sepal_width","type":"float"}]}""";

    private const string ScalarsSchema =
        """{"type":"record","name":"S","fields":[{"name":"f","type":"float"},{"name":"d","type":"double"},{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"b","type":"boolean"},{"name":"s","type":"string"}]}""";

    private const string NullableSchema =
        """{"type":"record","name":"N","fields":[{"name":"n","type":"null"},{"name":"u","type":["null","string"],"default":null},{"name":"v","type":["int","double","null"]},{"name":"t","type":{"type":"int","logicalType":"time-millis"}},{"name":"b","type":["boolean","long"]}]}""";

    private const string IntegersSchema =
        """{"type":"record","name":"I","fields":[{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"t","type":{"type":"int","logicalType":"time-millis"}},{"name":"u","type":["null","int"]}]}""";

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(IrisSchema, """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""").SetName("Iris_record_in_its_usual_order");
        yield return new TestCaseData(IrisSchema, """{"petal_length":5.4,"petal_width":2.1,"sepal_length":6.9,"sepal_width":3.1}""").SetName("Iris_record_in_schema_order_without_spaces");
        yield return new TestCaseData(IrisSchema, " \t{\n  \"sepal_length\" : 6 ,\r\n  \"sepal_width\":3.1,\"petal_length\"  :0.4,\n\"petal_width\": -2.1\n}\n ").SetName("Iris_record_with_whitespace_everywhere");
        yield return new TestCaseData(ScalarsSchema, """{"f": 1.5, "d": -0.25, "i": -12, "l": 9007199254740993, "b": true, "s": "x y"}""").SetName("Record_of_scalars");
        yield return new TestCaseData(ScalarsSchema, """{"s":"Zoë ☮","b":false,"l":0,"i":2147483647,"d":1234.5678,"f":0}""").SetName("Record_of_scalars_reversed_with_non_ASCII_text");
        yield return new TestCaseData(NullableSchema, """{"n": null, "u": "text", "v": 2.5, "t": 86399999, "b": false}""").SetName("Record_of_nulls_and_unions");
        yield return new TestCaseData(NullableSchema, """{"n":null,"u":null,"v":null,"t":0,"b":-3}""").SetName("Record_of_null_union_values");
    }

    [TestCaseSource(nameof(Cases))]
    public void The_checker_learns_the_order_of_a_valid_record_and_its_scanner_accepts_it(string schema, string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(schema));
        byte[] bytes = Encoding.UTF8.GetBytes(record);
        Assert.That(checker.TryCheck(bytes, out RecordRejection rejection), Is.True, rejection.Reason);
        InOrderRecordScanner? scanner = checker.InOrderScanner;
        Assert.That(scanner, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(scanner!.Accepts(bytes), Is.True);
            Assert.That(scanner.Order, Is.EqualTo(Root(schema).KeyOrder(bytes)));
            Assert.That(checker.FullCheck(bytes, out RecordRejection full), Is.True, full.Reason);
        });
    }

    [TestCaseSource(nameof(Cases))]
    public void The_scanner_accepts_a_mutation_exactly_when_the_general_scanner_does_in_its_order(string schema, string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(schema));
        RecordNode root = Root(schema);
        byte[] valid = Encoding.UTF8.GetBytes(record);
        int[] validOrder = root.KeyOrder(valid, out byte[][] separators)!;
        InOrderRecordScanner[] scanners =
        [
            InOrderRecordScanner.TryCreate(root, validOrder, separators) ?? throw new InvalidOperationException("no scanner"), // the record's punctuation first
            InOrderRecordScanner.TryCreate(root, validOrder) ?? throw new InvalidOperationException("no scanner"), // the grammar only
        ];
        var wrong = new List<string>();
        int tried = 0;
        int accepted = 0;
        foreach ((byte[] mutant, InOrderRecordScanner scanner) in JsonPocoCodecTests.Mutants(valid).Append([.. valid, (byte)' ']).Append([.. valid, (byte)'}']).Append([.. valid, 0xC3])
            .SelectMany(m => scanners.Select(s => (m, s))))
        {
            tried++;
            bool emitted = scanner.Accepts(mutant);
            bool general = checker.GeneralAccepts(mutant);
            if (emitted)
            {
                accepted++;
                if (!(Utf8.IsValid(mutant) && checker.FullCheck(mutant, out _)) || !general)
                {
                    wrong.Add("accepted, but the full check or the general scanner rejects: " + Encoding.UTF8.GetString(mutant));
                }
            }
            else if (general && root.KeyOrder(mutant) is { } order && order.SequenceEqual(scanner.Order))
            {
                wrong.Add("declined in its order, but the general scanner accepts: " + Encoding.UTF8.GetString(mutant));
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(tried, Is.GreaterThan(1000));
            Assert.That(accepted, Is.GreaterThan(10));
            Assert.That(wrong.Take(20), Is.Empty, $"{wrong.Count} of {tried} mutants");
        });
    }

    [Test]
    public void A_scanner_learned_from_spaced_records_also_accepts_compact_and_pretty_ones_in_its_order()
    {
        RecordNode root = Root(ScalarsSchema);
        int[] order = root.KeyOrder("""{"f": 1.5, "d": -0.25, "i": -12, "l": 3, "b": true, "s": "x y"}"""u8, out byte[][] separators)!;
        byte[][] wrongSeparators = [.. separators.Select(s => Encoding.ASCII.GetBytes(", \"x\": ")).Take(3), .. separators.Skip(3)];
        InOrderRecordScanner scanner = InOrderRecordScanner.TryCreate(root, order, separators) ?? throw new InvalidOperationException("no scanner");
        InOrderRecordScanner misled = InOrderRecordScanner.TryCreate(root, order, wrongSeparators) ?? throw new InvalidOperationException("no scanner");
        string[] records =
        [
            """{"f": 1.5, "d": -0.25, "i": -12, "l": 3, "b": true, "s": "x y"}""",
            """{"f":1.5,"d":-0.25,"i":-12,"l":3,"b":true,"s":"x y"}""",
            "{\n  \"f\": 1.5,\n  \"d\": -0.25,\n  \"i\": -12,\n  \"l\": 3,\n  \"b\": true,\n  \"s\": \"x y\"\n}\n",
            """ { "f" : 1.5 , "d":  -0.25,"i" :-12, "l": 3 ,"b": false, "s": ""} """,
        ];
        Assert.Multiple(() =>
        {
            foreach (string record in records)
            {
                Assert.That(scanner.Accepts(Encoding.UTF8.GetBytes(record)), Is.True, record);
                Assert.That(misled.Accepts(Encoding.UTF8.GetBytes(record)), Is.True, record);
            }

            Assert.That(scanner.Accepts("""{"f": 1.5, "d": -0.25, "i": -12, "l": 3, "b": true, "s": "x y"}}"""u8), Is.False);
            Assert.That(scanner.Accepts("""{"f": 1.5, "d": -0.25, "i": -12, "l": 3, "s": "x y", "b": true}"""u8), Is.False);
            Assert.That(scanner.Accepts("""{"f": 1.5, "d": -0.25, "i": -12, "l": 3, "b": true}"""u8), Is.False);
        });
    }

    [Test]
    public void Integer_range_edges_are_decided_as_the_general_scanner_decides()
    {
        string[] values =
        [
            "0", "-0", "01", "-", "1.0", "1e2", "1E2", "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "99999999999999999999", "86399999", "86400000",
            "-1", "null", "\"1\"", "true", "4294967296", "18446744073709551616",
        ];
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(IntegersSchema));
        RecordNode root = Root(IntegersSchema);
        root.KeyOrder("""{"i": 0, "l": 0, "t": 0, "u": 0}"""u8, out byte[][] separators);
        InOrderRecordScanner scanner = InOrderRecordScanner.TryCreate(root, [0, 1, 2, 3], separators) ?? throw new InvalidOperationException("no scanner");
        InOrderRecordScanner grammarOnly = InOrderRecordScanner.TryCreate(root, [0, 1, 2, 3]) ?? throw new InvalidOperationException("no scanner");
        var wrong = new List<string>();
        foreach (string field in new[] { "i", "l", "t", "u" })
        {
            foreach (string value in values)
            {
                var fields = new Dictionary<string, string> { ["i"] = "1", ["l"] = "1", ["t"] = "1", ["u"] = "1" };
                fields[field] = value;
                byte[] record = Encoding.UTF8.GetBytes("{" + string.Join(", ", fields.Select(f => $"\"{f.Key}\": {f.Value}")) + "}");
                bool emitted = scanner.Accepts(record);
                if (emitted != checker.GeneralAccepts(record) || emitted != grammarOnly.Accepts(record) || (emitted && !checker.FullCheck(record, out _)))
                {
                    wrong.Add($"{field} = {value}: emitted {emitted}");
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(wrong, Is.Empty);
            Assert.That(scanner.Accepts("""{"i": 2147483647, "l": 9223372036854775807, "t": 86399999, "u": -2147483648}"""u8), Is.True);
            Assert.That(scanner.Accepts("""{"i": 2147483648, "l": 1, "t": 1, "u": 1}"""u8), Is.False);
            Assert.That(scanner.Accepts("""{"i": 1, "l": 9223372036854775808, "t": 1, "u": 1}"""u8), Is.False);
            Assert.That(scanner.Accepts("""{"i": 1, "l": 1, "t": 86400000, "u": 1}"""u8), Is.False);
            Assert.That(scanner.Accepts("""{"i": 1, "l": 1, "t": 1, "u": -2147483649}"""u8), Is.False);
        });
    }

    [Test]
    public void Records_in_another_order_or_without_an_optional_field_are_still_checked_right()
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(NullableSchema));
        string[] records =
        [
            """{"n": null, "u": "text", "v": 2.5, "t": 1, "b": false}""",
            """{"u": "text", "n": null, "v": 2.5, "t": 1, "b": false}""",
            """{"n": null, "v": 2.5, "t": 1, "b": false}""",
            """{"b": 7, "t": 1, "v": null, "u": null, "n": null}""",
            """{"n": null, "u": "text", "v": 2.5, "t": 1, "b": "no"}""",
            """{"n": null, "u": "text", "v": 2.5, "t": 1, "b": false, "x": 1}""",
            """{"n": null, "u": "text", "v": 2.5, "t": 1, "b": false, "b": true}""",
            """{"n": null, "u": "text", "v": 2.5, "b": false}""",
        ];
        bool[] expected = [true, true, true, true, false, false, false, false];
        Assert.Multiple(() =>
        {
            for (int i = 0; i < records.Length; i++)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(records[i]);
                Assert.That(checker.TryCheck(bytes, out RecordRejection rejection), Is.EqualTo(expected[i]), records[i]);
                Assert.That(rejection, Is.EqualTo(Reference(NullableSchema, bytes)), records[i]);
            }

            Assert.That(checker.InOrderScanner!.Order, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        });
    }

    [Test]
    public void The_scanner_stops_being_tried_when_most_records_miss_an_optional_field_and_results_stay_right()
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(NullableSchema));
        Assert.That(checker.TryCheck("""{"n": null, "u": "text", "v": 2.5, "t": 1, "b": false}"""u8, out _), Is.True);
        Assert.That(checker.TriesInOrder, Is.True);
        var results = new List<bool>();
        for (int i = 0; i < 600; i++)
        {
            results.Add(checker.TryCheck(Encoding.UTF8.GetBytes($$"""{"n": null, "v": {{i}}, "t": 1, "b": false}"""), out _));
            results.Add(!checker.TryCheck(Encoding.UTF8.GetBytes($$"""{"n": null, "v": {{i}}, "t": -1, "b": false}"""), out _));
        }

        Assert.Multiple(() =>
        {
            Assert.That(checker.TriesInOrder, Is.False);
            Assert.That(results, Is.All.True);
            Assert.That(checker.TryCheck("""{"n": null, "u": "text", "v": 2.5, "t": 1, "b": false}"""u8, out _), Is.True);
            Assert.That(checker.TryCheck("""{"n": null, "u": "text", "v": 2.5, "t": 1, "b": 1.5}"""u8, out RecordRejection rejection), Is.False);
            Assert.That(rejection.Reason, Is.EqualTo("$.b: expected boolean or long, got 1.5"));
        });
    }

    [Test]
    public void The_scanner_learns_a_new_order_a_few_times_then_stops_when_records_come_in_any_order()
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(ScalarsSchema));
        string[] fields = ["\"f\": 1.5", "\"d\": 2", "\"i\": 3", "\"l\": 4", "\"b\": true", "\"s\": \"x\""];
        var random = new Random(5);
        var results = new List<bool>();
        var orders = new HashSet<string>();
        for (int i = 0; i < 3000 && checker.TriesInOrder; i++)
        {
            string[] shuffled = [.. fields];
            random.Shuffle(shuffled);
            results.Add(checker.TryCheck(Encoding.UTF8.GetBytes("{" + string.Join(", ", shuffled) + "}"), out _));
            results.Add(!checker.TryCheck(Encoding.UTF8.GetBytes("{" + string.Join(", ", shuffled).Replace("true", "1", StringComparison.Ordinal) + "}"), out _));
            orders.Add(string.Join(",", checker.InOrderScanner?.Order ?? []));
        }

        Assert.Multiple(() =>
        {
            Assert.That(checker.TriesInOrder, Is.False);
            Assert.That(orders, Has.Count.InRange(2, 4));
            Assert.That(results, Is.All.True);
            Assert.That(checker.TryCheck("""{"f": 1.5, "d": 2, "i": 3, "l": 4, "b": true, "s": "x"}"""u8, out _), Is.True);
        });
    }

    [Test]
    public void A_stream_in_one_order_other_than_the_first_records_gets_a_scanner_for_that_order()
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(IrisSchema));
        Assert.That(checker.TryCheck("""{"petal_length": 5.4, "petal_width": 2.1, "sepal_length": 6.9, "sepal_width": 3.1}"""u8, out _), Is.True);
        Assert.That(checker.InOrderScanner!.Order, Is.EqualTo(new[] { 0, 1, 2, 3 }));
        for (int i = 0; i < 200; i++)
        {
            Assert.That(checker.TryCheck("""{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}"""u8, out _), Is.True);
        }

        Assert.Multiple(() =>
        {
            Assert.That(checker.InOrderScanner!.Order, Is.EqualTo(new[] { 2, 3, 0, 1 }));
            Assert.That(checker.TriesInOrder, Is.True);
        });
    }

    [TestCase("""{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"}}]}""", """{"a": [1]}""")]
    [TestCase("""{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}}]}""", """{"e": "A"}""")]
    [TestCase("""{"type":"record","name":"R","fields":[{"name":"r","type":{"type":"record","name":"Q","fields":[{"name":"x","type":"int"}]}}]}""", """{"r": {"x": 1}}""")]
    [TestCase("""{"type":"record","name":"R","fields":[{"name":"d","type":{"type":"int","logicalType":"date"}},{"name":"b","type":"bytes"}]}""", """{"d": 1, "b": "x"}""")]
    [TestCase("""{"type":"array","items":"int"}""", "[1, 2]")]
    public void Schemas_with_other_field_types_keep_the_general_scanner(string schema, string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(schema));
        Assert.Multiple(() =>
        {
            Assert.That(checker.TryCheck(Encoding.UTF8.GetBytes(record), out RecordRejection rejection), Is.True, rejection.Reason);
            Assert.That(checker.InOrderScanner, Is.Null);
            Assert.That(checker.FastAccepts(Encoding.UTF8.GetBytes(record)), Is.True);
        });
    }

    private static RecordNode Root(string schema) => (RecordNode)SchemaCompiler.Compile(Avro.Schema.Parse(schema));

    // The full check's verdict on a fresh checker (default when it accepts).
    private static RecordRejection Reference(string schema, byte[] record)
    {
        new JsonAvroSchemaChecker(Avro.Schema.Parse(schema)).FullCheck(record, out RecordRejection rejection);
        return rejection;
    }
}
