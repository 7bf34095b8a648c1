using System.Text;
using CsCheck;
using FastScore.Streams.Fuzz;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// Issue 12, points 1 and 2, beyond the reported cases: seeded property tests (CsCheck) that feed random and mutated
/// input (escapes, lone and paired surrogates, invalid UTF-8, overlong encodings, deep nesting, huge numbers, duplicate
/// keys, truncation) through every decode and check path, by way of the fuzz targets in <c>fuzz/FastScore.Streams.Fuzz</c>
/// (the same invariants the coverage-guided fuzzer checks): accepted or rejected, never thrown, and what is accepted
/// agrees with System.Text.Json or a reference.
/// </summary>
/// <remarks>
/// The seeds are fixed, so a run is reproducible; set <c>FASTSCORE_PROPERTY_ITERATIONS</c> to run more cases (for example
/// 200000 locally) and <c>FASTSCORE_PROPERTY_SEED</c> to start elsewhere. A failure names the case's seed and input, and
/// the input CsCheck shrank it to.
/// </remarks>
public sealed class BadInputPropertyTests
{
    [Test]
    public void Random_and_mutated_json_decoded_to_flat_pocos_is_accepted_exactly_as_the_serializer_does() =>
        Property.Check(JsonGen.Records, JsonPocoTarget.Run, seed: 1201, iterations: 3000);

    [Test]
    public void Random_and_mutated_json_is_accepted_or_rejected_by_the_schema_checkers_and_their_fast_paths_agree() =>
        Property.Check(JsonGen.Records, JsonSchemaTarget.Run, seed: 1202, iterations: 3000);

    [Test]
    public void Random_and_mutated_json_decoded_to_JsonElement_JsonNode_string_and_collections_agrees_with_System_Text_Json() =>
        Property.Check(JsonGen.Records, JsonValuesTarget.Run, seed: 1203, iterations: 3000);

    [Test]
    public void Random_bytes_are_accepted_or_rejected_by_the_utf8_and_raw_encodings_never_thrown() =>
        Property.Check(JsonGen.Bytes, TextTarget.Run, seed: 1204, iterations: 3000);

    [Test]
    public void Random_streams_are_framed_by_every_envelope_as_a_reference_split_or_rejected_as_documented() =>
        Property.Check(JsonGen.FramerInputs, FramerTarget.Run, seed: 1205, iterations: 3000);

    [Test]
    public void Random_streams_of_mutated_records_deliver_exactly_the_valid_records_in_order() =>
        Property.Check(JsonGen.StreamInputs, StreamTarget.Run, seed: 1206, iterations: 400);

    [Test]
    public void Mutated_example_descriptors_are_read_or_rejected_with_field_path_errors_never_thrown() =>
        Property.Check(DescriptorGen.Mutated, DescriptorTarget.Run, seed: 1207, iterations: 2000);

    [Test]
    public void Random_and_mutated_avro_binary_records_are_checked_decoded_and_framed_without_throwing_and_agree() =>
        Property.Check(AvroGen.Records, AvroBinaryTarget.Run, seed: 1401, iterations: 3000);

    [Test]
    public void Random_and_mutated_container_files_are_framed_or_rejected_never_thrown() =>
        Property.Check(AvroGen.ContainerFiles, OcfTarget.Run, seed: 1402, iterations: 1500);

    [Test]
    public void The_property_harness_finds_and_reports_a_failing_case()
    {
        var failure = Assert.Throws<AssertionException>(() => Property.Check(JsonGen.Records, data => FuzzCheck.Require(data.AsSpan().IndexOf("\\ud800"u8) < 0, "a lone surrogate"), seed: 1, iterations: 3000));
        Assert.That(failure!.Message, Does.Contain("FASTSCORE_PROPERTY_SEED=1").And.Contain("a lone surrogate"));
    }
}

/// <summary>Runs a property over inputs generated from fixed seeds (one CsCheck sample per seed), shrinking a failure with CsCheck.</summary>
internal static class Property
{
    private const uint Stream = 12;

    public static void Check(Gen<byte[]> gen, Action<byte[]> property, ulong seed, int iterations)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("FASTSCORE_PROPERTY_ITERATIONS"), out int wanted) && wanted > 0)
        {
            iterations = wanted;
        }

        if (ulong.TryParse(Environment.GetEnvironmentVariable("FASTSCORE_PROPERTY_SEED"), out ulong start))
        {
            seed = start;
        }

        for (int i = 0; i < iterations; i++)
        {
            ulong caseSeed = seed + (ulong)i;
            string seedText = new PCG(Stream, caseSeed).ToString(caseSeed);
            byte[]? input = null;
            try
            {
                gen.Sample(data => { input = data; property(data); }, seed: seedText, iter: 1, threads: 1, print: FuzzCheck.Show);
            }
            catch (CsCheckException first)
            {
                string shrunk = Shrink(gen, property, seedText);
                Assert.Fail($"Case {i} (FASTSCORE_PROPERTY_SEED={seed}, CsCheck seed {seedText}) failed on input {FuzzCheck.Show(input ?? [])} ({Text(input)}):\n{first.InnerException ?? first}\nCsCheck shrank it to: {shrunk}");
            }
        }
    }

    private static string Shrink(Gen<byte[]> gen, Action<byte[]> property, string seedText)
    {
        try
        {
            gen.Sample(property, seed: seedText, iter: 2000, threads: 1, print: data => $"{FuzzCheck.Show(data)} ({Text(data)})");
            return "(no smaller failing input)";
        }
        catch (CsCheckException shrunk)
        {
            return shrunk.Message;
        }
    }

    private static string Text(byte[]? data) => data is null ? "" : Encoding.UTF8.GetString(data.AsSpan(0, Math.Min(data.Length, 300)));
}

/// <summary>Generators of JSON records, byte streams and framer inputs: valid templates, then mutations that matter here.</summary>
internal static class JsonGen
{
    /// <summary>Valid records of every shape the targets know, to start mutating from.</summary>
    private static readonly string[] s_templates =
    [
        .. FuzzSchemas.Learned.Select(l => l.Record),
        """{"petal_length":5.4,"petal_width":2.1,"sepal_length":6.9,"sepal_width":3.1}""",
        """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""",
        """{"F": 0, "D": 1.7976931348623157e308, "I": 2147483647, "L": -9223372036854775808, "B": false, "S": null}""",
        """{"$fastscore": "set", "id": 7, "timestamp": 1700000000000, "misc": "m"}""",
        """["a", 1, 2.5e-3, true, null, {"k": [{}]}]""",
        "\"\\u00e9\\ud83d\\ude00\\n\"",
        "12345.678e-2",
        "{\"a\": 1, \"b\": 2}",
        """{"a key longer than sixteen bytes": "a value longer than sixteen bytes, é ☮ and more after", "k": ["another string of thirty-two bytes", 1.5]}""",
    ];

    /// <summary>Tokens inserted by mutations: escapes, surrogates, broken UTF-8, numbers, structure.</summary>
    private static readonly byte[][] s_tokens =
    [
        .. new[]
        {
            "\\ud800", "\\udc00", "\\uDBFF", "\\ud83d\\ude00", "\\u0000", "\\\"", "\\\\", "\\n", "\\u00e9", "\\x", "\\u12",
            "1e400", "-1E-400", "123456789012345678901234567890", "3.4028236e38", "-0", "0.0000000000000000000001", "NaN", "Infinity",
            "null", "true", "false", "{", "}", "[", "]", ",", ":", "\"", " ", "\n", "\t",
            "\"sepal_length\"", "\"sepal_width\"", "\"petal_length\"", "\"petal_width\"", "\"F\"", "\"S\"", "\"m\"", "\"n\"", "\"next\"", "\"$fastscore\"", "\"end\"",
            "\"sepal_length\": 1, ", "\"F\": 1.5, ", "☮", "é",
        }.Select(t => Encoding.UTF8.GetBytes(t)),
        [0xFF], [0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x98], [0xEF, 0xBB, 0xBF], [0x00], [0x1F],
    ];

    /// <summary>One mutation: what to do, where (scaled to the input), and a choice (token, length, byte).</summary>
    internal readonly record struct Mutation(int Kind, int Where, int Choice);

    private static readonly Gen<Mutation> s_mutation = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 1000], Gen.Int[0, 1000], (k, w, c) => new Mutation(k, w, c));

    internal static byte[] Apply(byte[] start, Mutation[] mutations, byte[][] tokens)
    {
        var data = new List<byte>(start);
        foreach (Mutation m in mutations)
        {
            int at = data.Count == 0 ? 0 : m.Where * data.Count / 1001;
            switch (m.Kind)
            {
                case 0 or 1 or 2: // insert a token (most mutations)
                    data.InsertRange(at, tokens[m.Choice % tokens.Length]);
                    break;
                case 3: // insert a token inside the n-th string (just after a quote)
                    int quote = NthQuote(data, m.Where);
                    data.InsertRange(quote < 0 ? at : quote + 1, tokens[m.Choice % tokens.Length]);
                    break;
                case 4: // delete a range
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + (m.Choice % 8)));
                    break;
                case 5: // replace a byte
                    if (at < data.Count)
                    {
                        data[at] = (byte)m.Choice;
                    }

                    break;
                case 6: // duplicate a range (duplicate keys, repeated values)
                    int length = Math.Min(data.Count - at, 1 + (m.Choice % 40));
                    data.InsertRange(at, data.GetRange(at, length));
                    break;
                case 7: // truncate
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 8: // nest deeply
                    int depth = 1 + (m.Choice % 80);
                    data.InsertRange(0, Enumerable.Repeat((byte)'[', depth));
                    data.AddRange(Enumerable.Repeat((byte)']', m.Choice % 3 == 0 ? depth - 1 : depth));
                    break;
                default: // a random byte
                    data.Insert(at, (byte)(m.Choice * 7));
                    break;
            }
        }

        return [.. data];
    }

    private static int NthQuote(List<byte> data, int n)
    {
        int count = data.Count(b => b == (byte)'"');
        if (count == 0)
        {
            return -1;
        }

        int wanted = n % count;
        for (int i = 0; i < data.Count; i++)
        {
            if (data[i] == (byte)'"' && wanted-- == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Random JSON values built from the parts (keys with escapes and surrogates, huge numbers, nesting).</summary>
    private static readonly Gen<string> s_randomJson = Gen.Recursive<string>((depth, self) =>
    {
        Gen<string> scalar = Gen.OneOf(
            Gen.OneOf("null", "true", "false", "0", "-0", "1e400", "-2.5E-3", "123456789012345678901234567890", "6.9", "\"\"", "\"\\ud800\"", "\"\\ud83d\\ude00\"", "\"x\\\"y\"", "\"é☮\"", "\"a string longer than sixteen bytes, é☮ inside and ASCII after\""),
            Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "1"),
            Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (depth > 4)
        {
            return scalar;
        }

        Gen<string> key = Gen.OneOf("\"sepal_length\"", "\"sepal_width\"", "\"petal_length\"", "\"petal_width\"", "\"F\"", "\"S\"", "\"s\"", "\"m\"", "\"n\"", "\"v\"", "\"next\"", "\"\\ud800\"", "\"a\\udc00\"", "\"\\u0061\"", "\"$fastscore\"", "\"\"", "\"a key longer than sixteen bytes\"");
        Gen<string> array = self.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]");
        Gen<string> obj = Gen.Select(key, self).Array[0, 5].Select(members => "{" + string.Join(", ", members.Select(m => m.Item1 + ": " + m.Item2)) + "}");
        return Gen.Frequency((3, scalar), (1, array), (2, obj));
    });

    /// <summary>JSON records: mutated templates mostly, random JSON values, and random bytes.</summary>
    public static Gen<byte[]> Records { get; } = Gen.Frequency(
        (5, Gen.Select(Gen.Int[0, s_templates.Length - 1], s_mutation.Array[0, 4], (t, m) => Apply(Encoding.UTF8.GetBytes(s_templates[t]), m, s_tokens))),
        (2, Gen.Select(s_randomJson, s_mutation.Array[0, 2], (json, m) => Apply(Encoding.UTF8.GetBytes(json), m, s_tokens))),
        (1, Gen.Byte.Array[0, 64]));

    /// <summary>Any bytes: random, UTF-8 text with broken sequences, and control records of each encoding.</summary>
    public static Gen<byte[]> Bytes { get; } = Gen.Frequency(
        (2, Gen.Byte.Array[0, 64]),
        (2, Gen.Select(Gen.String, s_mutation.Array[0, 3], (s, m) => Apply(Encoding.UTF8.GetBytes(s), m, s_tokens))),
        (1, Gen.Select(Gen.OneOf("☮fastscore.pig|12|1700000000000|misc", "\\u262efastscore.end", "☮fastscore.set||5"), s_mutation.Array[0, 3], (s, m) => Apply(Encoding.UTF8.GetBytes(s), m, s_tokens))),
        (1, Gen.Select(Gen.Byte.Array[0, 40], s_mutation.Array[0, 2], (tail, m) => Apply([0xFA, .. "stscore.end"u8, .. tail], m, s_tokens))));

    /// <summary>Framer inputs: four bytes of settings (envelope, limit, policy, chunking) and a stream of separators and records.</summary>
    public static Gen<byte[]> FramerInputs { get; } = Gen.Select(
        Gen.Byte.Array[4],
        Gen.Frequency((3, Gen.OneOf("a", "bb", "\n", "\r\n", "\r", "<|>", "<|", "☮", "\u00e2", "0123456789", "").Array[0, 20].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)))), (1, Gen.Byte.Array[0, 100])),
        (settings, stream) => (byte[])[.. settings, .. stream]);

    /// <summary>Whole streams for the end-to-end target: two bytes of settings, then lines that are mutated records.</summary>
    public static Gen<byte[]> StreamInputs { get; } = Gen.Select(
        Gen.Byte.Array[2],
        Records.Array[0, 12],
        Gen.Bool,
        (settings, lines, trailing) => (byte[])[.. settings, .. lines.SelectMany((l, i) => i == 0 ? l : (byte[])[(byte)'\n', .. l]), .. (trailing ? "\n"u8.ToArray() : [])]);
}

/// <summary>Mutated descriptors: the FastScore example descriptors (and literals), with the mutations of <see cref="JsonGen"/> plus descriptor field names and values.</summary>
internal static class DescriptorGen
{
    private static readonly byte[][] s_templates =
    [
        .. Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "fastscore-examples", "streams"), "*.json").Order().Select(File.ReadAllBytes),
        .. new[] { "kafka:broker:9092/topic.json", "file:/data/in.jsons", "inline:1,2,3", "s3://bucket/path/data.jsons", "rest:", "tcp::5678" }.Select(Encoding.UTF8.GetBytes),
    ];

    private static readonly byte[][] s_tokens =
    [
        .. new[]
        {
            "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "\\\\", "\\\"", "null", "true", "-1", "1e400", "123456789012345678901234567890", "[]", "{}", "\"\"", ",", ":", "{", "}", "[", "]", "\"",
            "\"Transport\": ", "\"Type\": ", "\"Path\": ", "\"Envelope\": ", "\"Encoding\": ", "\"Schema\": ", "\"Config\": {\"\\ud800\": 1}, ", "\"$ref\": ",
            "\"file\"", "\"kafka\"", "\"inline\"", "\"s3\"", "\"delimited\"", "\"fixed\"", "\"json\"", "\"utf-8\"", "\"$inherit\"", "\"MaxRecordSize\": ", "\"OnOversize\": ",
            "\"{\\\"type\\\": \\\"enum\\\", \\\"name\\\": \\\"E\\\", \\\"symbols\\\": [\\\"\\\\ud800\\\"]}\"",
        }.Select(t => Encoding.UTF8.GetBytes(t)),
        [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x98],
    ];

    public static Gen<byte[]> Mutated { get; } =
        Gen.Select(Gen.Int[0, s_templates.Length - 1], Gen.Select(Gen.Int[0, 9], Gen.Int[0, 1000], Gen.Int[0, 1000], (k, w, c) => new JsonGen.Mutation(k, w, c)).Array[0, 4],
            (t, m) => JsonGen.Apply(s_templates[t], m, s_tokens));
}
