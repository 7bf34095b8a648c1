using System.Text;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Schemas;

public sealed class JsonAvroSchemaCheckerTests
{
    private const string Record = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"double","default":0},{"name":"d","type":["null","long"]}]}""";
    private const string Decimal = """{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}""";
    private const string Fixed3 = """{"type":"fixed","name":"F","size":3}""";
    private const string Enum = """{"type":"enum","name":"Kind","symbols":["A","B"]}""";
    private const string LinkedList = """{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"]}]}""";
    private const string TwoRecords = """[{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]},{"type":"record","name":"Q","fields":[{"name":"y","type":"string"}]}]""";
    private const string Tags = """{"type":"record","name":"T","fields":[{"name":"tags","type":{"type":"array","items":"int"}}]}""";

    private static (bool Ok, RecordRejection Rejection) Check(string schema, string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(schema));
        bool ok = checker.TryCheck(Encoding.UTF8.GetBytes(record), out RecordRejection rejection);
        return (ok, rejection);
    }

    private static IEnumerable<TestCaseData> Valid()
    {
        static TestCaseData Case(string schema, string record, string name) => new TestCaseData(schema, record).SetName($"Accepts_{name}");
        yield return Case("\"null\"", "null", "null");
        yield return Case("\"boolean\"", "true", "true");
        yield return Case("\"boolean\"", " false ", "false_with_whitespace");
        yield return Case("\"int\"", "0", "int_zero");
        yield return Case("\"int\"", "-2147483648", "int_min");
        yield return Case("\"int\"", "2147483647", "int_max");
        yield return Case("\"long\"", "9223372036854775807", "long_max");
        yield return Case("\"long\"", "-9223372036854775808", "long_min");
        yield return Case("\"float\"", "1.5", "float");
        yield return Case("\"float\"", "5", "float_written_as_an_integer");
        yield return Case("\"float\"", "-3.4028235e38", "float_at_the_lowest_finite_value");
        yield return Case("\"float\"", "340282346638528859811704183484516925440", "float_max_written_out");
        yield return Case("\"float\"", "1e-50", "float_that_underflows_to_zero");
        yield return Case("\"double\"", "1.7976931348623157e308", "double_max");
        yield return Case("\"double\"", "-2.5e-300", "double_tiny");
        yield return Case("\"bytes\"", "\"abc\"", "bytes");
        yield return Case("\"bytes\"", "\"\\u00ff\\u0000ÿ\"", "bytes_with_Latin1_characters");
        yield return Case("\"string\"", "\"héllo ☮\"", "string");
        yield return Case("\"string\"", "\"\"", "empty_string");
        yield return Case(Record, """{"a": 1, "b": "x", "c": 2.5, "d": 7}""", "record_with_all_fields");
        yield return Case(Record, """{"b": "x", "a": 1}""", "record_with_defaulted_and_nullable_fields_missing");
        yield return Case(Record, """{"a": 1, "b": "x", "d": null}""", "record_with_explicit_null");
        yield return Case(Record, """{"\u0061": 1, "b": "x"}""", "record_with_escaped_field_name");
        yield return Case(Enum, "\"B\"", "enum_symbol");
        yield return Case("""{"type":"array","items":"int"}""", "[]", "empty_array");
        yield return Case("""{"type":"array","items":"int"}""", "[1, 2, 3]", "array");
        yield return Case("""{"type":"array","items":{"type":"array","items":"string"}}""", """[["a"], [], ["b", "c"]]""", "nested_arrays");
        yield return Case("""{"type":"map","values":"int"}""", "{}", "empty_map");
        yield return Case("""{"type":"map","values":"int"}""", """{"x": 1, "y y": 2}""", "map");
        yield return Case("""["null","string"]""", "null", "union_null_branch");
        yield return Case("""["null","string"]""", "\"s\"", "union_string_branch");
        yield return Case("""["int","double"]""", "1", "union_int_branch");
        yield return Case("""["int","double"]""", "1.5", "union_double_branch_after_int_fails");
        yield return Case(TwoRecords, """{"y": "q"}""", "union_of_records_second_branch");
        yield return Case(Fixed3, "\"abc\"", "fixed");
        yield return Case(Fixed3, "\"\\u00e9éé\"", "fixed_with_Latin1_characters");
        yield return Case(Decimal, "\"\\u0001\\u0002\"", "decimal_as_bytes");
        yield return Case(Decimal, "123.45", "decimal_as_number");
        yield return Case(Decimal, "-999.99", "decimal_negative");
        yield return Case(Decimal, "0.50", "decimal_with_trailing_zero");
        yield return Case(Decimal, "1.2e1", "decimal_with_exponent");
        yield return Case(Decimal, "12300e-2", "decimal_with_negative_exponent");
        yield return Case("""{"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":4,"scale":0}""", "1234", "decimal_on_fixed");
        yield return Case("""{"type":"string","logicalType":"uuid"}""", "\"123e4567-e89b-12d3-a456-426614174000\"", "uuid");
        yield return Case("""{"type":"int","logicalType":"date"}""", "19000", "date");
        yield return Case("""{"type":"int","logicalType":"time-millis"}""", "86399999", "time_millis");
        yield return Case("""{"type":"long","logicalType":"time-micros"}""", "86399999999", "time_micros");
        yield return Case("""{"type":"long","logicalType":"timestamp-millis"}""", "1700000000000", "timestamp_millis");
        yield return Case("""{"type":"long","logicalType":"timestamp-micros"}""", "1700000000000000", "timestamp_micros");
        yield return Case("""{"type":"long","logicalType":"local-timestamp-millis"}""", "1700000000000", "local_timestamp_millis");
        yield return Case("""{"type":"long","logicalType":"local-timestamp-micros"}""", "1700000000000000", "local_timestamp_micros");
        yield return Case("""{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}""", "\"\\u0000\\u0000\\u0000\\u0000\\u0001\\u0000\\u0000\\u0000\\u0002\\u0000\\u0000\\u0000\"", "duration");
        yield return Case(LinkedList, """{"value": 1, "next": {"value": 2, "next": {"value": 3, "next": null}}}""", "recursive_record");
    }

    [TestCaseSource(nameof(Valid))]
    public void Valid_record(string schema, string record)
    {
        (bool ok, RecordRejection rejection) = Check(schema, record);
        Assert.That(ok, Is.True, rejection.Reason);
    }

    private static IEnumerable<TestCaseData> Invalid()
    {
        static TestCaseData Case(string schema, string record, string reason, string name) => new TestCaseData(schema, record, reason).SetName($"Rejects_{name}");
        yield return Case("\"null\"", "0", "$: expected null, got 0", "a_number_for_null");
        yield return Case("\"boolean\"", "\"true\"", "$: expected boolean, got \"true\"", "a_string_for_boolean");
        yield return Case("\"int\"", "3.5", "$: expected int, got 3.5", "a_fraction_for_int");
        yield return Case("\"int\"", "1.0", "$: expected int, got 1.0", "a_decimal_point_for_int");
        yield return Case("\"int\"", "1e2", "$: expected int, got 1e2", "an_exponent_for_int");
        yield return Case("\"int\"", "2147483648", "$: expected int, got 2147483648", "int_overflow");
        yield return Case("\"int\"", "\"1\"", "$: expected int, got \"1\"", "a_numeric_string_for_int");
        yield return Case("\"long\"", "9223372036854775808", "$: expected long, got 9223372036854775808", "long_overflow");
        yield return Case("\"long\"", "2.5", "$: expected long, got 2.5", "a_fraction_for_long");
        yield return Case("\"float\"", "3.5e38", "$: expected float, got 3.5e38", "float_overflow");
        yield return Case("\"float\"", "1000000000000000000000000000000000000000", "$: expected float, got 1000000000000000000000000000000000000000", "float_overflow_written_out");
        yield return Case("\"float\"", "\"NaN\"", "$: expected float, got \"NaN\"", "NaN_as_a_string");
        yield return Case("\"double\"", "1e400", "$: expected double, got 1e400", "double_overflow");
        yield return Case("\"double\"", "\"Infinity\"", "$: expected double, got \"Infinity\"", "Infinity_as_a_string");
        yield return Case("\"bytes\"", "\"\\u0100\"", "$: expected bytes, got \"\\u0100\"", "a_character_above_U_00FF_in_bytes");
        yield return Case("\"bytes\"", "5", "$: expected bytes, got 5", "a_number_for_bytes");
        yield return Case("\"string\"", "null", "$: expected string, got null", "null_for_string");
        yield return Case(Record, """{"a": 1}""", "$: missing required field 'b'", "a_record_missing_a_required_field");
        yield return Case(Record, """{"a": 1, "b": "x", "e": 0}""", "$.e: unexpected field (not in record R)", "a_record_with_an_unknown_field");
        yield return Case(Record, """{"a": 1, "b": "x", "a": 2}""", "$.a: duplicate field", "a_record_with_a_duplicate_field");
        yield return Case(Record, """{"a": "x", "b": "x"}""", "$.a: expected int, got \"x\"", "a_record_field_of_the_wrong_type");
        yield return Case(Record, """{"a": 1, "b": "x", "d": 1.5}""", "$.d: expected null or long, got 1.5", "a_nullable_field_of_the_wrong_type");
        yield return Case(Record, "[1]", "$: expected record R, got [1]", "an_array_for_a_record");
        yield return Case(Enum, "\"C\"", "$: expected one of [A, B], got \"C\"", "an_unknown_enum_symbol");
        yield return Case(Enum, "0", "$: expected one of [A, B], got 0", "a_number_for_an_enum");
        yield return Case("""{"type":"array","items":"int"}""", """[1, "x"]""", "$[1]: expected int, got \"x\"", "an_array_item_of_the_wrong_type");
        yield return Case(Tags, """{"tags": [1, 2, 3.5]}""", "$.tags[2]: expected int, got 3.5", "a_nested_array_item");
        yield return Case("""{"type":"map","values":"int"}""", """{"k": "v"}""", "$.k: expected int, got \"v\"", "a_map_value_of_the_wrong_type");
        yield return Case("""{"type":"map","values":"int"}""", """{"a b": true}""", "$[\"a b\"]: expected int, got true", "a_map_value_under_an_odd_key");
        yield return Case("""["null","string"]""", "5", "$: expected null or string, got 5", "a_value_matching_no_union_branch");
        yield return Case("""["int","double"]""", "1e400", "$: expected int or double, got 1e400", "a_number_matching_no_numeric_branch");
        yield return Case(TwoRecords, """{"z": 1}""", "$: expected record P or record Q, got {\"z\": 1}", "an_object_matching_no_record_branch");
        yield return Case("""["null","string"]""", """{"string": "wrapped"}""", "$: expected null or string, got {\"string\": \"wrapped\"}", "the_Avro_JSON_wrapped_union_form");
        yield return Case(Fixed3, "\"ab\"", "$: expected fixed F (3 bytes), got \"ab\"", "a_fixed_of_the_wrong_length");
        yield return Case(Decimal, "1234.5", "$: expected decimal(5,2), got 1234.5", "a_decimal_over_its_precision");
        yield return Case(Decimal, "1.234", "$: expected decimal(5,2), got 1.234", "a_decimal_over_its_scale");
        yield return Case("""{"type":"string","logicalType":"uuid"}""", "\"123e4567-e89b-12d3-a456-42661417400g\"", "$: expected uuid, got \"123e4567-e89b-12d3-a456-42661417400g\"", "a_malformed_uuid");
        yield return Case("""{"type":"int","logicalType":"time-millis"}""", "86400000", "$: expected time-millis (0 to 86399999), got 86400000", "a_time_millis_past_midnight");
        yield return Case("""{"type":"long","logicalType":"time-micros"}""", "-1", "$: expected time-micros (0 to 86399999999), got -1", "a_negative_time_micros");
        yield return Case(LinkedList, """{"value": 1, "next": {"value": 2, "next": {"value": "3", "next": null}}}""", "$.next.next.value: expected int, got \"3\"", "a_deep_error_in_a_recursive_record");
        yield return Case("""{"type":"int","logicalType":"date"}""", "\"2024-01-01\"", "$: expected date, got \"2024-01-01\"", "an_ISO_date_string_for_date");
        yield return Case("""{"type":"long","logicalType":"timestamp-millis"}""", "1.5", "$: expected timestamp-millis, got 1.5", "a_fraction_for_timestamp_millis");
        yield return Case("""{"type":"long","logicalType":"local-timestamp-micros"}""", "\"now\"", "$: expected local-timestamp-micros, got \"now\"", "a_string_for_local_timestamp_micros");
        yield return Case("""{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}""", "\"short\"", "$: expected fixed Dur (12 bytes), got \"short\"", "a_duration_of_the_wrong_size");
        yield return Case("""{"type":"fixed","name":"D4","size":4,"logicalType":"decimal","precision":4,"scale":0}""", "\"abc\"", "$: expected fixed D4 (4 bytes), got \"abc\"", "a_decimal_fixed_of_the_wrong_size");
        yield return Case("""{"type":"record","name":"ns.Inner","fields":[{"name":"x","type":"int"}]}""", "5", "$: expected record ns.Inner, got 5", "a_number_for_a_namespaced_record");
        yield return Case("""{"type":"array","items":{"type":"map","values":{"type":"array","items":"boolean"}}}""", """[{"a": [true]}, {"b": [false, 1]}]""", "$[1].b[1]: expected boolean, got 1", "a_deep_error_in_nested_containers");
    }

    [TestCaseSource(nameof(Invalid))]
    public void Invalid_record(string schema, string record, string reason)
    {
        (bool ok, RecordRejection rejection) = Check(schema, record);
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Schema));
            Assert.That(rejection.Reason, Is.EqualTo(reason));
        });
    }

    [Test]
    public void A_long_offending_value_is_shown_truncated_to_40_characters()
    {
        (_, RecordRejection rejection) = Check("\"int\"", "\"" + new string('x', 100) + "\"");
        Assert.That(rejection.Reason, Is.EqualTo("$: expected int, got \"" + new string('x', 39) + "…"));
    }

    [TestCase("""{"a": 1""")]
    [TestCase("""{"a": 1, "b": "x"} trailing""")]
    [TestCase("")]
    [TestCase("""{"a": "not an int", """)]
    [TestCase("""{'a': 1}""")]
    public void Invalid_JSON_is_rejected_by_encoding_even_when_it_also_mismatches_the_schema(string record)
    {
        (bool ok, RecordRejection rejection) = Check(Record, record);
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Encoding));
            Assert.That(rejection.Reason, Is.Not.Empty);
        });
    }

    [Test]
    public void Invalid_UTF8_is_rejected_by_encoding_with_its_offset()
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse("\"string\""));
        bool ok = checker.TryCheck([(byte)'"', (byte)'a', 0xFF, (byte)'"'], out RecordRejection rejection);
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection, Is.EqualTo(new RecordRejection(RejectionKind.Encoding, "invalid UTF-8 at byte 2")));
        });
    }

    [Test]
    public void Records_with_more_than_64_fields_track_every_required_field()
    {
        string fields = string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""{"name":"f{{i}}","type":"int"}"""));
        string schema = $$"""{"type":"record","name":"Wide","fields":[{{fields}}]}""";
        string all = "{" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"f{i}\":{i}")) + "}";
        string missing = "{" + string.Join(",", Enumerable.Range(0, 100).Where(i => i != 77).Select(i => $"\"f{i}\":{i}")) + "}";
        Assert.Multiple(() =>
        {
            Assert.That(Check(schema, all).Ok, Is.True);
            Assert.That(Check(schema, missing).Rejection.Reason, Is.EqualTo("$: missing required field 'f77'"));
        });
    }

    [Test]
    public void Checking_valid_records_allocates_nothing_on_either_path()
    {
        string fields = string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""{"name":"f{{i}}","type":["null","double"]}"""));
        var wide = new JsonAvroSchemaChecker(Avro.Schema.Parse($$"""{"type":"record","name":"Wide","fields":[{{fields}}]}"""));
        byte[] plain = Encoding.UTF8.GetBytes("{" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"f{i}\": {i}.5")) + "}");
        byte[] escaped = Encoding.UTF8.GetBytes("{\"f\\u0030\": 1e3, \"f1\": null}"); // an escape and an exponent: the full check
        var record = new JsonAvroSchemaChecker(Avro.Schema.Parse(Record));
        byte[] small = Encoding.UTF8.GetBytes("""{"a": 1, "b": "x\ty", "d": 5}""");

        bool all = true;
        for (int i = 0; i < 50; i++)
        {
            all &= wide.TryCheck(plain, out _) & wide.TryCheck(escaped, out _) & record.TryCheck(small, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            all &= wide.TryCheck(plain, out _) & wide.TryCheck(escaped, out _) & record.TryCheck(small, out _);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Multiple(() =>
        {
            Assert.That(all, Is.True);
            Assert.That(allocated, Is.Zero);
        });
    }
}
