using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.Encodings;
using static FastScore.Streams.Tests.Encodings.JsonPocoCodecTests;

namespace FastScore.Streams.Tests.Encodings;

/// <summary>
/// The json codec first tries a reader emitted for the type, which reads records whose keys are the properties in
/// declaration order. It must accept only records the general (any-order) reader accepts, with the same values, and
/// stop being tried when records are usually in another order.
/// </summary>
public sealed class InOrderReaderTests
{
    private static readonly string[] s_records =
    [
        """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""",
        """{"F": 2.25, "D": -1.5, "I": -7, "L": 123456789012, "B": true, "S": "text"}""",
        """ {"F":0,"D":0.5,"I":0,"L":-1,"B":false,"S":""} """,
    ];

    public sealed class Tagged
    {
        public int A { get; set; }

#pragma warning disable SA1401, CA1051 // a field the serializer leaves alone (fields are not serialized by default)
        public int Tag;
#pragma warning restore SA1401, CA1051
    }

    private static JsonPocoCodec<T> NewCodec<T>(JsonSerializerOptions? options = null)
    {
        options ??= new JsonSerializerOptions();
        options.MakeReadOnly(populateMissingResolver: true);
        return JsonPocoCodec<T>.TryCreate((JsonTypeInfo<T>)options.GetTypeInfo(typeof(T))) ?? throw new InvalidOperationException("no codec");
    }

    private static string? InOrder<T>(JsonPocoCodec<T> codec, byte[] record) =>
        codec.InOrderReader!.TryRead(record, out T? value) ? JsonSerializer.Serialize(value) : null;

    private static string? AnyOrder<T>(JsonPocoCodec<T> codec, byte[] record, out ulong seen, out bool duplicate) =>
        codec.TryReadAnyOrder(record, out T value, out seen, out duplicate) ? JsonSerializer.Serialize(value) : null;

    [Test]
    public void Records_in_declaration_order_are_read_by_the_emitted_reader()
    {
        JsonPocoCodec<Iris> iris = NewCodec<Iris>();
        JsonPocoCodec<AllKinds> all = NewCodec<AllKinds>();
        Assert.Multiple(() =>
        {
            Assert.That(InOrder(iris, Encoding.UTF8.GetBytes(s_records[0])), Is.EqualTo("""{"sepal_length":6.9,"sepal_width":3.1,"petal_length":5.4,"petal_width":2.1}"""));
            Assert.That(InOrder(all, Encoding.UTF8.GetBytes(s_records[1])), Is.EqualTo("""{"F":2.25,"D":-1.5,"I":-7,"L":123456789012,"B":true,"S":"text","ReadOnly":-6}"""));
            Assert.That(InOrder(all, Encoding.UTF8.GetBytes(s_records[2])), Is.EqualTo("""{"F":0,"D":0.5,"I":0,"L":-1,"B":false,"S":"","ReadOnly":1}"""));
        });
    }

    [TestCase("""{"sepal_width": 3.1, "sepal_length": 6.9, "petal_length": 5.4, "petal_width": 2.1}""")]
    [TestCase("""{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4}""")]
    [TestCase("""{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1, "x": 1}""")]
    [TestCase("""{"sepal_length": 6.9, "sepal_width": 3.1, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""")]
    [TestCase("""{"sepal_lengthX": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""")]
    [TestCase("""{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}}""")]
    [TestCase("""{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1""")]
    [TestCase("""{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 1e1}""")]
    [TestCase("""{"sepal_len""")]
    [TestCase("""{"s""")]
    [TestCase("""{""")]
    [TestCase("")]
    public void Records_in_another_shape_are_left_to_the_general_reader(string text)
    {
        Assert.That(InOrder(NewCodec<Iris>(), Encoding.UTF8.GetBytes(text)), Is.Null);
    }

    [Test]
    public void Every_record_the_emitted_reader_accepts_reads_the_same_with_the_general_reader()
    {
        JsonPocoCodec<Iris> iris = NewCodec<Iris>();
        JsonPocoCodec<AllKinds> kinds = NewCodec<AllKinds>();
        var wrong = new List<string>();
        int accepted = 0, tried = 0;
        foreach (string text in s_records)
        {
            foreach (byte[] mutant in Mutants(Encoding.UTF8.GetBytes(text)))
            {
                tried++;
                bool isIris = text.Contains("sepal", StringComparison.Ordinal);
                string? fast = isIris ? InOrder(iris, mutant) : InOrder(kinds, mutant);
                ulong seen;
                bool duplicate;
                string? general = isIris ? AnyOrder(iris, mutant, out seen, out duplicate) : AnyOrder(kinds, mutant, out seen, out duplicate);
                ulong all = isIris ? iris.AllRead : kinds.AllRead;
                if (fast is null)
                {
                    continue;
                }

                accepted++;
                if (fast != general || seen != all || duplicate)
                {
                    wrong.Add($"{Encoding.UTF8.GetString(mutant)}: {fast} but the general reader gives {general ?? "nothing"} (seen {seen:x}, duplicate {duplicate})");
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(wrong.Take(20), Is.Empty, $"{wrong.Count} of {accepted} accepted mutants differ");
            Assert.That(accepted, Is.GreaterThan(tried / 20), "the emitted reader accepts the mutants that keep the shape (digits, spaces)");
        });
    }

    [Test]
    public void Records_mostly_in_another_order_stop_the_emitted_reader_and_still_read_right()
    {
        JsonPocoCodec<Iris> codec = NewCodec<Iris>();
        byte[] reordered = """{"petal_width": 2.1, "sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4}"""u8.ToArray();
        Assert.That(codec.TriesInOrder, Is.True);
        for (int i = 0; i < 1000; i++)
        {
            Assert.That(codec.TryRead(reordered, out Iris value), Is.True);
            Assert.That((value.SepalLength, value.SepalWidth, value.PetalLength, value.PetalWidth), Is.EqualTo((6.9f, 3.1f, 5.4f, 2.1f)));
        }

        Assert.Multiple(() =>
        {
            Assert.That(codec.TriesInOrder, Is.False);
            Assert.That(codec.TryRead(Encoding.UTF8.GetBytes(s_records[0]), out Iris inOrder), Is.True);
            Assert.That(inOrder.PetalWidth, Is.EqualTo(2.1f));
        });
    }

    [Test]
    public void A_few_records_in_another_order_keep_the_emitted_reader()
    {
        JsonPocoCodec<Iris> codec = NewCodec<Iris>();
        byte[] reordered = """{"petal_width": 2.1, "sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4}"""u8.ToArray();
        byte[] ordered = Encoding.UTF8.GetBytes(s_records[0]);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.That(codec.TryRead(i % 50 == 0 ? reordered : ordered, out Iris value), Is.True);
            Assert.That(value.PetalWidth, Is.EqualTo(2.1f));
        }

        Assert.That(codec.TriesInOrder, Is.True);
    }

    [Test]
    public void A_contract_with_modifiers_is_left_to_the_serializer_which_honours_it()
    {
        // A modifier may replace object creation or a property's accessors: the codec cannot tell, so it is not built.
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver
            {
                Modifiers = { info => { if (info.Type == typeof(Tagged)) { info.CreateObject = () => new Tagged { Tag = 42 }; } } },
            },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        Assert.That(NewCodec<Tagged>().InOrderReader, Is.Not.Null, "without modifiers the codec and its emitted reader exist");
        Assert.That(JsonPocoCodec<Tagged>.TryCreate((JsonTypeInfo<Tagged>)options.GetTypeInfo(typeof(Tagged))), Is.Null);
        Tagged value = new JsonRecordEncoding(options).Decode<Tagged>("""{"A": 7}"""u8);
        Assert.That((value.A, value.Tag), Is.EqualTo((7, 42)));
    }

    [Test]
    public void Init_only_setters_are_called_by_the_emitted_reader()
    {
        JsonPocoCodec<WithInit> codec = NewCodec<WithInit>();
        Assert.That(codec.InOrderReader!.TryRead("""{"A": 1.25, "Name": "n"}"""u8, out WithInit? value), Is.True);
        Assert.That((value!.A, value.Name), Is.EqualTo((1.25f, "n")));
    }
}

/// <summary>The json codec writes with a method emitted for the type; it must write exactly what its general loop writes, and decline exactly when it declines.</summary>
public sealed class EmittedWriterTests
{
    public sealed class OneInt
    {
        public int A { get; set; }
    }

    public sealed class Empty
    {
        public int Hidden { private get; set; }
    }

    private static JsonPocoCodec<T> NewCodec<T>()
    {
        var options = new JsonSerializerOptions();
        options.MakeReadOnly(populateMissingResolver: true);
        return JsonPocoCodec<T>.TryCreate((JsonTypeInfo<T>)options.GetTypeInfo(typeof(T))) ?? throw new InvalidOperationException("no codec");
    }

    private static string? Emitted<T>(JsonPocoCodec<T> codec, T value, bool strict)
    {
        var output = new byte[4096];
        int written = codec.EmittedWriter!.Write(value, output, strict);
        return written < 0 ? null : Encoding.UTF8.GetString(output, 0, written);
    }

    private static string? Loop<T>(JsonPocoCodec<T> codec, T value, bool strict)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        return codec.TryWriteLoop(value, output, strict) ? Encoding.UTF8.GetString(output.WrittenSpan) : null;
    }

    [Test]
    public void Every_value_is_written_as_the_general_loop_writes_it_or_declined_as_it_declines()
    {
        JsonPocoCodec<AllKinds> codec = NewCodec<AllKinds>();
        var random = new Random(11);
        var values = new List<AllKinds>
        {
            new(),
            new() { S = null },
            new() { S = "needs \"escaping\"" },
            new() { S = new string('x', 257) },
            new() { S = new string('x', 256) },
            new() { F = float.NaN },
            new() { D = double.NegativeInfinity },
            new() { F = float.MaxValue, D = double.MinValue, I = int.MinValue, L = long.MaxValue, B = true, S = "" },
            new() { F = -0f, D = -0.0 },
        };
        for (int i = 0; i < 3000; i++)
        {
            values.Add(new AllKinds
            {
                F = (float)(random.NextDouble() * Math.Pow(10, random.Next(-8, 12))) * (random.Next(2) == 0 ? -1 : 1),
                D = random.NextDouble() * Math.Pow(10, random.Next(-8, 20)),
                I = random.Next(int.MinValue, int.MaxValue),
                L = random.NextInt64(long.MinValue, long.MaxValue),
                B = random.Next(2) == 0,
                S = random.Next(10) == 0 ? null : new string((char)random.Next(32, 127), random.Next(0, 4)),
            });
        }

        var wrong = new List<string>();
        int declined = 0;
        foreach (AllKinds value in values)
        {
            foreach (bool strict in new[] { false, true })
            {
                string? emitted = Emitted(codec, value, strict);
                string? loop = Loop(codec, value, strict);
                declined += emitted is null ? 1 : 0;
                if (emitted != loop)
                {
                    wrong.Add($"{JsonSerializer.Serialize(value)} (strict {strict}): {emitted ?? "declined"} instead of {loop ?? "declined"}");
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(wrong.Take(10), Is.Empty, $"{wrong.Count} differ");
            Assert.That(declined, Is.GreaterThan(0).And.LessThan(values.Count), "some values are declined (null strings when strict, escapes, non-finite numbers), most are not");
        });
    }

    [Test]
    public void Short_and_empty_records_are_written_whole()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Emitted(NewCodec<OneInt>(), new OneInt { A = -12 }, strict: true), Is.EqualTo("""{"A":-12}"""));
            Assert.That(Emitted(NewCodec<Empty>(), new Empty(), strict: true), Is.EqualTo("{}"));
            Assert.That(Emitted(NewCodec<Iris>(), new Iris { SepalLength = 5.1f, PetalWidth = 0.2f }, strict: true),
                Is.EqualTo("""{"sepal_length":5.1,"sepal_width":0,"petal_length":0,"petal_width":0.2}"""));
        });
    }

    [Test]
    public void A_span_shorter_than_the_budget_is_declined_not_overrun()
    {
        JsonPocoCodec<Iris> codec = NewCodec<Iris>();
        var output = new byte[codec.EmittedWriter!.Budget + 16];
        Assert.That(codec.EmittedWriter.Write(new Iris(), output.AsSpan(0, codec.EmittedWriter.Budget - 1), strict: true), Is.EqualTo(-1));
        Assert.That(output.Skip(codec.EmittedWriter.Budget - 1), Is.All.EqualTo(0));
    }
}
