using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Tests.Encodings;

/// <summary>
/// The json encoding reads and writes flat POCOs with its own one-pass codec and falls back to JsonSerializer for
/// anything else. The codec must give exactly what the serializer gives: these tests compare the two on many values,
/// on mutated records, and check that types and options it does not handle go to the serializer.
/// </summary>
public sealed class JsonPocoCodecTests
{
    private static readonly byte[] s_mutations = "\"\\,:{}[]09-.eE+ ntfx\t_$"u8.ToArray().Concat(new byte[] { 0x01, 0x7F, 0xC3, 0xA9, 0xFF }).ToArray();

    public sealed class Iris
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

    public sealed class AllKinds
    {
        public float F { get; set; } = 1.5f;

        public double D { get; set; }

        public int I { get; set; }

        public long L { get; set; }

        public bool B { get; set; }

        public string? S { get; set; } = "default";

        public int ReadOnly => I + 1;
    }

    public sealed class Positional(float a)
    {
        public float A { get; } = a;
    }

    public sealed class WithConverter
    {
        [JsonConverter(typeof(JsonStringEnumConverter))]
        public DayOfWeek Day { get; set; }
    }

    public sealed class WithRequired
    {
        [JsonRequired]
        public int A { get; set; }
    }

    public sealed class WithNested
    {
        public int A { get; set; }

        public Iris? Inner { get; set; }
    }

    public sealed class WithQuoteInName
    {
        [JsonPropertyName("a\"b")]
        public int A { get; set; }
    }

    public sealed class WithInit
    {
        public float A { get; init; }

        public string? Name { get; init; }
    }

    private static JsonPocoCodec<T>? Codec<T>(JsonSerializerOptions? options = null)
    {
        options ??= JsonSerializerOptions.Default;
        options.MakeReadOnly(populateMissingResolver: true);
        return JsonPocoCodec<T>.TryCreate((JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }

    private static string Format(float value)
    {
        var buffer = new byte[32];
        int pos = 0;
        Assert.That(JsonNumbers.TryFormatSingle(value, buffer, ref pos), Is.True);
        return Encoding.ASCII.GetString(buffer, 0, pos);
    }

    private static string Format(double value)
    {
        var buffer = new byte[32];
        int pos = 0;
        Assert.That(JsonNumbers.TryFormatDouble(value, buffer, ref pos), Is.True);
        return Encoding.ASCII.GetString(buffer, 0, pos);
    }

    private static string Reference(float value)
    {
        var buffer = new byte[32];
        Utf8Formatter.TryFormat(value, buffer, out int written);
        return Encoding.ASCII.GetString(buffer, 0, written);
    }

    private static string Reference(double value)
    {
        var buffer = new byte[32];
        Utf8Formatter.TryFormat(value, buffer, out int written);
        return Encoding.ASCII.GetString(buffer, 0, written);
    }

    private static string Encode<T>(T value, JsonRecordEncoding? encoding = null)
    {
        var output = new ArrayBufferWriter<byte>();
        (encoding ?? JsonRecordEncoding.Default).Encode(value, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>What the serializer makes of a record: its value re-serialized, or the exception type.</summary>
    private static string Serializer<T>(byte[] record, JsonSerializerOptions? options = null)
    {
        try
        {
            return JsonSerializer.Serialize(JsonSerializer.Deserialize<T>(record, options ?? JsonSerializerOptions.Default), options ?? JsonSerializerOptions.Default);
        }
        catch (JsonException)
        {
            return "error";
        }
    }

    private static string Encoding_<T>(byte[] record, JsonRecordEncoding encoding, JsonSerializerOptions? options = null)
    {
        try
        {
            return JsonSerializer.Serialize(encoding.Decode<T>(record), options ?? JsonSerializerOptions.Default);
        }
        catch (StreamFormatException)
        {
            return "error";
        }
    }

    /// <summary>Compares the codec's text for a float with the serializer's, keeping the first 20 differences.</summary>
    private static void CompareFloat(float value, List<string> wrong, ref int tried)
    {
        tried++;
        string fast = Format(value), reference = Reference(value);
        if (fast != reference && wrong.Count < 20)
        {
            wrong.Add($"{reference} (bits {BitConverter.SingleToInt32Bits(value):X8}) written as {fast}");
        }
    }

    [Test]
    public void Floats_are_written_exactly_as_the_serializer_writes_them()
    {
        var wrong = new List<string>();
        int tried = 0;
        void Check(float value) => CompareFloat(value, wrong, ref tried);

        // every decimal with up to 3 fraction digits below 1000, as a record would hold them
        for (int n = 0; n < 1_000_000; n++)
        {
            Check(n / 1000f);
            Check(float.Parse((n / 1000.0).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }

        // a sweep of bit patterns over the whole fixed-point range and beyond, and random ones
        for (int bits = BitConverter.SingleToInt32Bits(1e-6f); bits < BitConverter.SingleToInt32Bits(1e9f); bits += 997)
        {
            Check(BitConverter.Int32BitsToSingle(bits));
            Check(-BitConverter.Int32BitsToSingle(bits));
        }

        var random = new Random(42);
        for (int i = 0; i < 200_000; i++)
        {
            float value = BitConverter.Int32BitsToSingle(random.Next());
            if (float.IsFinite(value))
            {
                Check(value);
            }
        }

        foreach (float value in new[] { 0f, -0f, 1e-4f, 9.99999e-5f, 1e7f, 9999999f, 8388607.5f, 8388608f, 16777216f, float.MaxValue, float.Epsilon, 0.1f, 0.3f, 2.5f, 6.9f })
        {
            Check(value);
        }

        Assert.That(wrong, Is.Empty, $"{wrong.Count} of {tried} differ");
    }

    [Test]
    public void Floats_with_up_to_nine_significant_digits_are_written_as_the_serializer_writes_them()
    {
        // Model outputs (probabilities) need 8 or 9 significant digits: every eleventh float of three whole binades, and
        // every power of two in the fixed-point range with its neighbours (where the gap below is half the gap above).
        // Every float from 9e-5 to 1.1e7, both signs, was compared once outside CI (618,017,980 values, none differed).
        var wrong = new List<string>();
        int tried = 0;
        void Check(float value) => CompareFloat(value, wrong, ref tried);

        foreach (float start in new[] { 1.220703125e-4f, 0.5f, 4194304f })
        {
            int first = BitConverter.SingleToInt32Bits(start);
            for (int bits = first; bits < first + (1 << 23); bits += 11)
            {
                Check(BitConverter.Int32BitsToSingle(bits));
            }
        }

        for (int exponent = -14; exponent <= 23; exponent++)
        {
            float power = MathF.Pow(2, exponent);
            foreach (float value in new[] { power, MathF.BitDecrement(power), MathF.BitIncrement(power) })
            {
                Check(value);
                Check(-value);
            }
        }

        Assert.That(wrong, Is.Empty, $"{wrong.Count} of {tried} differ");
    }

    [Test]
    public void Doubles_are_written_exactly_as_the_serializer_writes_them()
    {
        var wrong = new List<string>();
        int tried = 0;
        void Check(double value)
        {
            tried++;
            string fast = Format(value), reference = Reference(value);
            if (fast != reference && wrong.Count < 20)
            {
                wrong.Add($"{reference} (bits {BitConverter.DoubleToInt64Bits(value):X16}) written as {fast}");
            }
        }

        for (int n = 0; n < 1_000_000; n++)
        {
            Check(n / 1000.0);
            Check(n / 7.0);
            Check(-n * 1.1);
        }

        var random = new Random(42);
        for (int i = 0; i < 300_000; i++)
        {
            double value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(value))
            {
                Check(value);
            }

            Check(random.NextDouble() * Math.Pow(10, random.Next(-6, 17)));
        }

        foreach (double value in new[] { 0, -0.0, 1e-4, 9.99999999e-5, 1e14, 99999999999999.9, 1e15, double.MaxValue, double.Epsilon, 0.1, 0.3, 1.0 / 3, 2.5, 6.9 })
        {
            Check(value);
        }

        Assert.That(wrong, Is.Empty, $"{wrong.Count} of {tried} differ");
    }

    [Test]
    public void Numbers_are_read_exactly_as_the_serializer_reads_them()
    {
        var wrong = new List<string>();
        var random = new Random(7);
        int fastSingles = 0, fastDoubles = 0;
        for (int i = 0; i < 300_000; i++)
        {
            int intDigits = random.Next(0, 9), fractionDigits = random.Next(0, 12);
            var text = new StringBuilder();
            if (random.Next(4) == 0)
            {
                text.Append('-');
            }

            text.Append(intDigits == 0 ? "0" : random.Next(1, 10).ToString(CultureInfo.InvariantCulture));
            for (int d = 1; d < intDigits; d++)
            {
                text.Append((char)('0' + random.Next(10)));
            }

            if (fractionDigits > 0)
            {
                text.Append('.');
                for (int d = 0; d < fractionDigits; d++)
                {
                    text.Append((char)('0' + random.Next(10)));
                }
            }

            byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
            int pos = 0;
            if (JsonNumbers.TryParseSingle(bytes, ref pos, out float single))
            {
                fastSingles++;
                float expected = JsonSerializer.Deserialize<float>(bytes);
                if (pos != bytes.Length || BitConverter.SingleToInt32Bits(single) != BitConverter.SingleToInt32Bits(expected))
                {
                    wrong.Add($"float {text}: {single:R} instead of {expected:R}");
                }
            }

            pos = 0;
            if (JsonNumbers.TryParseDouble(bytes, ref pos, out double @double))
            {
                fastDoubles++;
                double expected = JsonSerializer.Deserialize<double>(bytes);
                if (pos != bytes.Length || BitConverter.DoubleToInt64Bits(@double) != BitConverter.DoubleToInt64Bits(expected))
                {
                    wrong.Add($"double {text}: {@double:R} instead of {expected:R}");
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(wrong.Take(20), Is.Empty, $"{wrong.Count} differ");
            Assert.That(fastSingles, Is.GreaterThan(50_000), "the fast path is used for short decimals");
            Assert.That(fastDoubles, Is.GreaterThan(150_000));
        });
    }

    [TestCase("1e5")]
    [TestCase("1E5")]
    [TestCase("1.5e-3")]
    [TestCase("01")]
    [TestCase("-")]
    [TestCase("1.")]
    [TestCase(".5")]
    [TestCase("1234567890123456")]
    [TestCase("0.00000000001")]
    [TestCase("NaN")]
    public void Numbers_it_cannot_read_exactly_are_declined(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        int pos = 0;
        bool read = JsonNumbers.TryParseSingle(bytes, ref pos, out _);
        Assert.That(read && pos == bytes.Length, Is.False, "declined, or stops before the bytes that are not part of a JSON number");
    }

    [Test]
    public void Reads_and_writes_a_flat_POCO_in_one_pass()
    {
        JsonPocoCodec<Iris>? codec = Codec<Iris>();
        Assert.That(codec, Is.Not.Null);
        byte[] record = """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}"""u8.ToArray();
        Assert.That(codec!.TryRead(record, out Iris iris), Is.True);
        var output = new ArrayBufferWriter<byte>();
        Assert.That(codec.TryWrite(iris, output), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(iris.SepalLength, Is.EqualTo(6.9f));
            Assert.That(iris.PetalWidth, Is.EqualTo(2.1f));
            Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo(JsonSerializer.Serialize(iris)));
            Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("""{"sepal_length":6.9,"sepal_width":3.1,"petal_length":5.4,"petal_width":2.1}"""));
        });
    }

    [TestCase("""{"F": 2.25, "D": -1.5, "I": -7, "L": 123456789012, "B": true, "S": "text"}""")]
    [TestCase("""{"S":"text","B":false,"L":0,"I":0,"D":0.0,"F":-0.0}""")]
    [TestCase(""" { "F" : 2.25 } """)]
    [TestCase("""{}""")]
    [TestCase("""{"F": 1, "F": 2}""")]
    [TestCase("""{"S": null}""")]
    [TestCase("""{"S": "caf\u00e9"}""")]
    [TestCase("""{"S": "café"}""")]
    [TestCase("""{"F": 1e3}""")]
    [TestCase("""{"I": 1.5}""")]
    [TestCase("""{"I": 3000000000}""")]
    [TestCase("""{"I": "3"}""")]
    [TestCase("""{"Unknown": 3, "I": 1}""")]
    [TestCase("""{"ReadOnly": 3}""")]
    [TestCase("""{"f": 3}""")]
    [TestCase("""{"F\u0022": 3}""")]
    [TestCase("""{"\u0046": 3}""")]
    [TestCase("""{"F": 3, "FF": 4}""")]
    [TestCase("""{"F"": 3}""")]
    [TestCase("""{"F": 3,}""")]
    [TestCase("""{"F": 3} x""")]
    [TestCase("""{"F": 3""")]
    [TestCase("""{"F" 3}""")]
    [TestCase("""null""")]
    [TestCase("""[1]""")]
    public void Every_record_decodes_as_the_serializer_decodes_it(string text)
    {
        byte[] record = Encoding.UTF8.GetBytes(text);
        Assert.That(Encoding_<AllKinds>(record, JsonRecordEncoding.Default), Is.EqualTo(Serializer<AllKinds>(record)));
    }

    [Test]
    public void Mutated_records_decode_as_the_serializer_decodes_them()
    {
        string[] records =
        [
            """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""",
            """{"F": 2.25, "D": -1.5, "I": -7, "L": 123456789012, "B": true, "S": "text"}""",
        ];
        var wrong = new List<string>();
        int tried = 0;
        foreach (string text in records)
        {
            byte[] valid = Encoding.UTF8.GetBytes(text);
            foreach (byte[] mutant in Mutants(valid))
            {
                tried++;
                string fast = text.StartsWith("{\"sepal", StringComparison.Ordinal) ? Encoding_<Iris>(mutant, JsonRecordEncoding.Default) : Encoding_<AllKinds>(mutant, JsonRecordEncoding.Default);
                string reference = text.StartsWith("{\"sepal", StringComparison.Ordinal) ? Serializer<Iris>(mutant) : Serializer<AllKinds>(mutant);
                if (fast != reference)
                {
                    wrong.Add($"{Encoding.UTF8.GetString(mutant)}: {fast} instead of {reference}");
                }
            }
        }

        Assert.That(wrong.Take(20), Is.Empty, $"{wrong.Count} of {tried} mutants differ");
    }

    [Test]
    public void Values_encode_as_the_serializer_encodes_them()
    {
        var random = new Random(3);
        var values = new List<AllKinds>
        {
            new(),
            new() { S = null },
            new() { S = "needs \"escaping\" <b> & 'quotes' + \\ \n é ☮" },
            new() { S = new string('x', 300) },
            new() { F = float.MaxValue, D = double.MinValue, I = int.MinValue, L = long.MaxValue, B = true, S = "" },
            new() { F = -0f, D = -0.0, S = "plain ASCII, with punctuation: !#$%()*,-./:;=?@[]^_{|}~" },
        };
        for (int i = 0; i < 2000; i++)
        {
            values.Add(new AllKinds
            {
                F = (float)(random.NextDouble() * Math.Pow(10, random.Next(-6, 10))),
                D = random.NextDouble() * Math.Pow(10, random.Next(-6, 17)),
                I = random.Next(int.MinValue, int.MaxValue),
                L = random.NextInt64(),
                B = random.Next(2) == 0,
                S = ((char)random.Next(32, 127)).ToString(),
            });
        }

        var wrong = values.Select(v => (Fast: Encode(v), Reference: JsonSerializer.Serialize(v))).Where(p => p.Fast != p.Reference).Take(10).ToList();
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void Every_printable_ASCII_character_in_a_string_is_written_as_the_serializer_writes_it()
    {
        for (char c = ' '; c < 128; c++)
        {
            var value = new AllKinds { S = $"a{c}b" };
            Assert.That(Encode(value), Is.EqualTo(JsonSerializer.Serialize(value)), $"character {(int)c}");
        }
    }

    [Test]
    public void Non_finite_numbers_are_refused_as_by_the_serializer()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Encode(new AllKinds { F = float.NaN }), Throws.InstanceOf<ArgumentException>());
            var named = new JsonRecordEncoding(new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
            Assert.That(Encode(new AllKinds { D = double.PositiveInfinity }, named), Does.Contain("\"D\":\"Infinity\""));
        });
    }

    [Test]
    public void Naming_policies_and_encoders_are_honoured()
    {
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var encoding = new JsonRecordEncoding(web);
        var value = new AllKinds { F = 2.5f, S = null };
        byte[] record = """{"f": 2.5, "i": 3, "s": "x"}"""u8.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(Encode(value, encoding), Is.EqualTo(JsonSerializer.Serialize(value, web)));
            Assert.That(JsonSerializer.Serialize(encoding.Decode<AllKinds>(record), web), Is.EqualTo(JsonSerializer.Serialize(JsonSerializer.Deserialize<AllKinds>(record, web), web)));
        });
    }

    [Test]
    public void Encodings_with_different_options_used_in_turn_keep_their_own_names()
    {
        var web = new JsonRecordEncoding(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var plain = new JsonRecordEncoding(new JsonSerializerOptions());
        for (int i = 0; i < 3; i++)
        {
            Assert.Multiple(() =>
            {
                Assert.That(web.Decode<AllKinds>("""{"i": 2}"""u8).I, Is.EqualTo(2));
                Assert.That(plain.Decode<AllKinds>("""{"I": 3}"""u8).I, Is.EqualTo(3));
                Assert.That(Encode(new AllKinds { I = 4 }, web), Does.StartWith("""{"f":1.5,"""));
                Assert.That(Encode(new AllKinds { I = 4 }, plain), Does.StartWith("""{"F":1.5,"""));
            });
        }
    }

    [Test]
    public void Init_only_properties_are_set()
    {
        JsonPocoCodec<WithInit>? codec = Codec<WithInit>();
        Assert.That(codec, Is.Not.Null);
        Assert.That(codec!.TryRead("""{"A": 1.25, "Name": "n"}"""u8, out WithInit value), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(value.A, Is.EqualTo(1.25f));
            Assert.That(value.Name, Is.EqualTo("n"));
        });
    }

    [Test]
    public void Types_and_options_it_does_not_handle_go_to_the_serializer()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Codec<Positional>()?.CanRead, Is.Not.True, "no parameterless constructor");
            Assert.That(Codec<WithConverter>(), Is.Null, "a property converter");
            Assert.That(Codec<WithRequired>(), Is.Null, "a required property");
            Assert.That(Codec<WithNested>(), Is.Null, "a nested object");
            Assert.That(Codec<AllKinds>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true }), Is.Null);
            Assert.That(Codec<AllKinds>(new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull }), Is.Null);
            Assert.That(Codec<AllKinds>(new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowReadingFromString }), Is.Null);
            Assert.That(Codec<AllKinds>(new JsonSerializerOptions { ReferenceHandler = ReferenceHandler.Preserve }), Is.Null);
            Assert.That(Codec<AllKinds>(new JsonSerializerOptions { Converters = { new FloatAsString() } }), Is.Null);
            Assert.That(Codec<Dictionary<string, int>>(), Is.Null);
            Assert.That(Codec<WithQuoteInName>(), Is.Null, "a name that must be escaped");
            Assert.That(Codec<AllKinds>(), Is.Not.Null);
        });

        // and those still work as the serializer says
        var withNested = JsonRecordEncoding.Default.Decode<WithNested>("""{"A": 1, "Inner": {"sepal_length": 1.5}}"""u8);
        Assert.That(withNested.Inner!.SepalLength, Is.EqualTo(1.5f));
    }

    private sealed class FloatAsString : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => float.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Every one-byte deletion, replacement and insertion of a record (also used by <see cref="ValidatingCodecTests"/>).</summary>
    internal static IEnumerable<byte[]> Mutants(byte[] valid)
    {
        for (int i = 0; i < valid.Length; i++)
        {
            yield return [.. valid[..i], .. valid[(i + 1)..]];
            foreach (byte b in s_mutations)
            {
                byte[] replaced = (byte[])valid.Clone();
                replaced[i] = b;
                yield return replaced;
                yield return [.. valid[..i], b, .. valid[i..]];
            }
        }
    }
}
