using System.Text;
using System.Text.Unicode;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Schemas;

/// <summary>
/// The JSON checker proves common records valid with a byte scanner and falls back to the full
/// <c>Utf8JsonReader</c> check otherwise. The scanner must never accept a record the full check rejects: these tests
/// mutate valid records byte by byte and compare the two.
/// </summary>
public sealed class FastPathTests
{
    private static readonly byte[] s_mutations = "\"\\,:{}[]09-.eE+ ntfx\t_"u8.ToArray().Concat(new byte[] { 0x01, 0x7F, 0x80, 0xC3, 0xA9, 0xFF }).ToArray();

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(
            """{"type":"record","name":"xgboost_input","fields":[{"name":"petal_length","type":"float"},{"name":"petal_width","type":"float"},{"name":"sepal_length","type":"float"},{"name":"sepal_width","type":"float"}]}""",
            """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""").SetName("Iris_record");
        yield return new TestCaseData(
            """{"type":"record","name":"R","fields":[{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"d","type":"double"},{"name":"b","type":"boolean"},{"name":"n","type":"null"},{"name":"s","type":["null","string"]},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]}""",
            """{"i": -12, "l": 9007199254740993, "d": -0.5, "b": true, "n": null, "s": "x", "e": "B"}""").SetName("Record_of_scalars");
        yield return new TestCaseData(
            """{"type":"record","name":"C","fields":[{"name":"a","type":{"type":"array","items":"int"}},{"name":"m","type":{"type":"map","values":["int","double"]}},{"name":"f","type":{"type":"fixed","name":"F","size":2}},{"name":"u","type":{"type":"string","logicalType":"uuid"}},{"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}}]}""",
            """{"a": [1, 22, 333], "m": {"k": 1, "j": 2.5}, "f": "ab", "u": "123e4567-e89b-12d3-a456-426614174000", "dec": 12.5}""").SetName("Record_of_containers_and_logical_types");
        yield return new TestCaseData(
            """{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}""",
            """{"v": 1, "next": {"v": 2, "next": null}}""").SetName("Recursive_record");
        yield return new TestCaseData(
            """{"type":"record","name":"U","fields":[{"name":"name","type":"string"},{"name":"tags","type":{"type":"map","values":"string"}},{"name":"raw","type":"bytes"}]}""",
            """{"name": "Zoë ☮", "tags": {"café": "naïve", "k": ""}, "raw": "ÿa"}""").SetName("Record_with_non_ASCII_text");
    }

    [TestCaseSource(nameof(Cases))]
    public void The_fast_path_accepts_the_plain_valid_record(string schema, string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(schema));
        byte[] bytes = Encoding.UTF8.GetBytes(record);
        Assert.Multiple(() =>
        {
            Assert.That(checker.FastAccepts(bytes), Is.True);
            Assert.That(checker.FullCheck(bytes, out RecordRejection rejection), Is.True, rejection.Reason);
        });
    }

    [TestCaseSource(nameof(Cases))]
    public void The_fast_path_never_accepts_a_mutation_the_full_check_rejects(string schema, string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(schema));
        byte[] valid = Encoding.UTF8.GetBytes(record);
        var wrong = new List<string>();
        int tried = 0;
        foreach (byte[] mutant in Mutants(valid))
        {
            tried++;
            if (checker.FastAccepts(mutant) && !(Utf8.IsValid(mutant) && checker.FullCheck(mutant, out _)))
            {
                wrong.Add(Encoding.UTF8.GetString(mutant));
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(tried, Is.GreaterThan(1000));
            Assert.That(wrong, Is.Empty);
        });
    }

    private static IEnumerable<TestCaseData> SyntaxCases()
    {
        yield return new TestCaseData("""{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""").SetName("Syntax_iris_record");
        yield return new TestCaseData("""{"a": [1, -0.5e+3, true, false, null, {}], "b": {"c": [[]], "d": "Zoë ☮"}, "e": ""}""").SetName("Syntax_nested_values");
        yield return new TestCaseData(""" [ "x" , 0 , -12.25E-2 ] """).SetName("Syntax_top_level_array_with_whitespace");
        yield return new TestCaseData("\"text\"").SetName("Syntax_top_level_string");
        yield return new TestCaseData("-0").SetName("Syntax_top_level_number");
        yield return new TestCaseData("""{"a key longer than sixteen bytes": "a value of more than thirty-two bytes, é ☮ and ASCII after", "k": ["x", "another string of thirty-two bytes!"]}""")
            .SetName("Syntax_strings_longer_than_a_vector");
    }

    [TestCaseSource(nameof(SyntaxCases))]
    public void The_syntax_fast_path_accepts_the_plain_valid_value(string record)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(record);
        Assert.Multiple(() =>
        {
            Assert.That(FastScore.Streams.Schemas.Json.FastJson.AcceptsAnyValue(bytes), Is.True);
            Assert.That(JsonSyntaxChecker.FullCheck(bytes, out RecordRejection rejection), Is.True, rejection.Reason);
        });
    }

    [TestCaseSource(nameof(SyntaxCases))]
    public void The_syntax_fast_path_never_accepts_a_mutation_the_full_check_rejects(string record)
    {
        byte[] valid = Encoding.UTF8.GetBytes(record);
        var wrong = new List<string>();
        int tried = 0, rejected = 0;
        foreach (byte[] mutant in Mutants(valid))
        {
            tried++;
            bool full = JsonSyntaxChecker.FullCheck(mutant, out _);
            rejected += full ? 0 : 1;
            if (FastScore.Streams.Schemas.Json.FastJson.AcceptsAnyValue(mutant) && !full)
            {
                wrong.Add(Encoding.UTF8.GetString(mutant));
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(tried, Is.GreaterThan(50));
            Assert.That(rejected, Is.GreaterThan(0));
            Assert.That(wrong, Is.Empty);
        });
    }

    [Test]
    public void The_syntax_fast_path_leaves_escapes_deep_nesting_and_bad_text_to_the_full_check()
    {
        string deep = new string('[', 40) + new string(']', 40);
        Assert.Multiple(() =>
        {
            Assert.That(FastScore.Streams.Schemas.Json.FastJson.AcceptsAnyValue("\"a\\nb\""u8), Is.False, "an escape");
            Assert.That(FastScore.Streams.Schemas.Json.FastJson.AcceptsAnyValue(Encoding.UTF8.GetBytes(deep)), Is.False, "deeper than the scanner goes");
            Assert.That(JsonSyntaxChecker.Instance.TryCheck(Encoding.UTF8.GetBytes(deep), out _), Is.True, "the full check accepts it");
            Assert.That(FastScore.Streams.Schemas.Json.FastJson.AcceptsAnyValue([(byte)'"', 0xC3, (byte)'"']), Is.False, "a cut UTF-8 sequence");
            Assert.That(JsonSyntaxChecker.Instance.TryCheck("{\"a\": \"\\ud800\"}"u8, out RecordRejection rejection), Is.False, "an unpaired surrogate escape");
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Encoding));
            Assert.That(JsonSyntaxChecker.Instance.TryCheck("{\"a\": 1,}"u8, out _), Is.False, "a trailing comma");
            Assert.That(JsonSyntaxChecker.Instance.TryCheck(""u8, out _), Is.False, "an empty record");
        });
    }

    private static IEnumerable<byte[]> Mutants(byte[] valid)
    {
        for (int i = 0; i <= valid.Length; i++)
        {
            if (i < valid.Length)
            {
                yield return [.. valid[..i], .. valid[(i + 1)..]];
                foreach (byte b in s_mutations)
                {
                    byte[] replaced = (byte[])valid.Clone();
                    replaced[i] = b;
                    yield return replaced;
                }
            }

            foreach (byte b in s_mutations)
            {
                yield return [.. valid[..i], b, .. valid[i..]];
            }
        }
    }
}
