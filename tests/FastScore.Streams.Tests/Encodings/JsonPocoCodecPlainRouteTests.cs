using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Tests.Encodings;

/// <summary>
/// The json encoding builds its POCO codec without the serializer's contract for plain classes and the default options
/// (JsonPocoCodec.Plain.cs): the member table read by reflection must equal the one built from the contract (names, order,
/// types, accessors, which members are read and written, the constructor), and every shape the plain route is not certain
/// of (any System.Text.Json attribute but [JsonPropertyName], required members, callbacks, conflicts...) must take the
/// contract route.
/// </summary>
public sealed class JsonPocoCodecPlainRouteTests
{
#pragma warning disable CS0649, CA1051, CA1822, CA1044, CA1819, CA2227, CS0169, IDE0051, IDE0044 // shapes, not code
    public class AllTypes
    {
        public float F { get; set; } = 1.5f;

        public double D { get; set; } = 2.25;

        public int I { get; set; } = -3;

        public long L { get; set; } = 1L << 40;

        public bool B { get; set; } = true;

        public string? S { get; set; } = "text";

        public string? NullString { get; set; }
    }

    public sealed class Renamed
    {
        [JsonPropertyName("sepal_length")]
        public float SepalLength { get; set; } = 5.1f;

        [JsonPropertyName("sepal_width")]
        public float SepalWidth { get; set; } = 3.5f;

        public int Plain { get; set; } = 7;
    }

    public sealed class RenamedToEscaped
    {
        [JsonPropertyName("<tag>&é")]
        public int A { get; set; } = 1;
    }

    public sealed class NonAsciiName
    {
        public float Größe { get; set; } = 1.25f;
    }

    public sealed class WithFields
    {
        public float Field;

        public int A { get; set; } = 4;
    }

    public sealed class InitOnly
    {
        public float A { get; init; } = 0.5f;

        public string? S { get; init; } = "s";
    }

    public sealed class ReadOnlyAndComputed
    {
        public float A { get; set; } = 1;

        public int Computed => 3;

        public string Fixed { get; } = "fixed";
    }

    public class AccessorVisibility
    {
        public float PrivateSet { get; private set; } = 1;

        public int PrivateGet { private get; set; } = 2;

        public long InternalSet { get; internal set; } = 3;

        public bool ProtectedSet { get; protected set; }

        internal float Internal { get; set; }

        protected int Protected { get; set; }

        private long Private { get; set; }
    }

    public sealed class SetOnly
    {
        private float _a;

        public float A { set => _a = value; }

        public float B { get; set; } = _placeholder;

        private const float _placeholder = 2;
    }

    public class Base
    {
        public float X { get; set; } = 1;

        public int Y { get; set; } = 2;
    }

    public sealed class Derived : Base
    {
        public double Z { get; set; } = 3;
    }

    public class Middle : Base
    {
        public bool M { get; set; }
    }

    public sealed class Deep : Middle
    {
        public string? Leaf { get; set; } = "leaf";
    }

    public sealed class Hiding : Base
    {
        public new float X { get; set; } = 5;
    }

    public sealed class HidingWithOtherName : Base
    {
        [JsonPropertyName("other")]
        public new float X { get; set; } = 5;
    }

    public class VirtualBase
    {
        public virtual float V { get; set; } = 1;
    }

    public sealed class Overriding : VirtualBase
    {
        public override float V { get; set; } = 2;
    }

    public sealed class NotOverriding : VirtualBase
    {
        public int W { get; set; } = 3;
    }

    public record class Rec
    {
        public float A { get; init; } = 1;

        public int B { get; init; } = 2;
    }

    public sealed record class DerivedRec : Rec
    {
        public bool C { get; init; } = true;
    }

    public record class PositionalRec(float A, int B);

    public struct Struct
    {
        public float A { get; set; }
    }

    public record struct RecStruct(float A);

    public sealed class Nested
    {
        public AllTypes? Inner { get; set; }
    }

    public sealed class WithList
    {
        public List<int>? Items { get; set; }
    }

    public sealed class Collection : List<int>
    {
        public float A { get; set; }
    }

    public sealed class WithNullable
    {
        public float? A { get; set; }
    }

    public sealed class WithDecimal
    {
        public decimal A { get; set; }
    }

    public sealed class WithDateTime
    {
        public DateTime A { get; set; }
    }

    public sealed class WithIndexer
    {
        public float A { get; set; } = 1;

        public int this[int i] => i;
    }

    public sealed class WithStatic
    {
        public static int S { get; set; }

        public float A { get; set; } = 1;
    }

    public sealed class Empty
    {
    }

    public sealed class RenameClash
    {
        [JsonPropertyName("B")]
        public float A { get; set; }

        public int B { get; set; }
    }

    public sealed class WithIgnore
    {
        [JsonIgnore]
        public float A { get; set; }

        public int B { get; set; }
    }

    public sealed class WithIgnoreCondition
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public float A { get; set; }
    }

    public sealed class WithInclude
    {
        [JsonInclude]
        public float A { get; private set; }
    }

    public sealed class WithIncludeField
    {
        [JsonInclude]
        public float A;
    }

    public sealed class WithOrder
    {
        public float A { get; set; }

        [JsonPropertyOrder(-1)]
        public int B { get; set; }
    }

    public sealed class WithNumberHandling
    {
        [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
        public int A { get; set; }
    }

    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public sealed class WithTypeNumberHandling
    {
        public int A { get; set; }
    }

    public sealed class WithPropertyConverter
    {
        [JsonConverter(typeof(FloatAsString))]
        public float A { get; set; }
    }

    [JsonConverter(typeof(TypeConverter))]
    public sealed class WithTypeConverter
    {
        public float A { get; set; }
    }

    public sealed class WithRequiredAttribute
    {
        [JsonRequired]
        public float A { get; set; }
    }

    public sealed class WithRequiredKeyword
    {
        public required float A { get; set; }
    }

    public sealed class WithExtensionData
    {
        public float A { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Extra { get; set; }
    }

    public sealed class WithCallbacks : IJsonOnDeserialized
    {
        public float A { get; set; }

        public void OnDeserialized()
        {
        }
    }

    [JsonPolymorphic]
    [JsonDerivedType(typeof(PolymorphicDerived), "d")]
    public class PolymorphicBase
    {
        public float A { get; set; }
    }

    public sealed class PolymorphicDerived : PolymorphicBase
    {
        public int B { get; set; }
    }

    public sealed class WithJsonConstructor
    {
        [JsonConstructor]
        public WithJsonConstructor()
        {
        }

        public float A { get; set; }
    }

    public sealed class NonPublicConstructor
    {
        private NonPublicConstructor()
        {
        }

        public float A { get; set; }
    }

    public sealed class TwoConstructors
    {
        public TwoConstructors()
        {
        }

        public TwoConstructors(float a) => A = a;

        public float A { get; set; } = 1;
    }

    public sealed class OnlyParameterized(float a)
    {
        public float A { get; } = a;
    }

    public abstract class Abstract
    {
        public float A { get; set; }
    }

    public sealed class Generic<TValue>
    {
        public TValue? Value { get; set; }

        public float A { get; set; } = 1;
    }

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed class WithUnmappedHandling
    {
        public float A { get; set; }
    }

    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public sealed class WithCreationHandling
    {
        public float A { get; set; }
    }

    public sealed class FrameworkDerivedEventArgs : EventArgs
    {
        public float A { get; set; }
    }

    public interface IShape
    {
        float A { get; set; }
    }

    public sealed class ImplementsInterface : IShape, IEquatable<ImplementsInterface>
    {
        public float A { get; set; } = 1;

        public bool Equals(ImplementsInterface? other) => other is not null && other.A == A;

        public override bool Equals(object? obj) => Equals(obj as ImplementsInterface);

        public override int GetHashCode() => A.GetHashCode();
    }

    public sealed class ExplicitInterface : IShape
    {
        float IShape.A { get; set; }

        public int B { get; set; } = 2;
    }

    public sealed class FloatAsString : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => float.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public sealed class TypeConverter : JsonConverter<WithTypeConverter>
    {
        public override WithTypeConverter Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            reader.Skip();
            return new WithTypeConverter();
        }

        public override void Write(Utf8JsonWriter writer, WithTypeConverter value, JsonSerializerOptions options) => writer.WriteNullValue();
    }
#pragma warning restore CS0649, CA1051, CA1822, CA1044, CA1819, CA2227, CS0169, IDE0051, IDE0044

    [Test]
    public void Plain_classes_take_the_plain_route_with_the_contracts_member_table()
    {
        AssertPlain(new AllTypes());
        AssertPlain(new Renamed());
        AssertPlain(new RenamedToEscaped());
        AssertPlain(new NonAsciiName());
        AssertPlain(new WithFields { Field = 2 });
        AssertPlain(new InitOnly());
        AssertPlain(new ReadOnlyAndComputed());
        AssertPlain(new AccessorVisibility());
        AssertPlain(new SetOnly());
        AssertPlain(new Base());
        AssertPlain(new Derived());
        AssertPlain(new Deep());
        AssertPlain(new VirtualBase());
        AssertPlain(new NotOverriding());
        AssertPlain(new Rec());
        AssertPlain(new DerivedRec());
        AssertPlain(new WithIndexer());
        AssertPlain(new WithStatic());
        AssertPlain(new TwoConstructors());
        AssertPlain(new Generic<int> { Value = 5 });
        AssertPlain(new Generic<string> { Value = "v" });
        AssertPlain(new ImplementsInterface());
        AssertPlain(new ExplicitInterface());
        AssertPlain(new Empty());
    }

    [Test]
    public void Shapes_the_plain_route_is_not_certain_of_take_the_contract_route()
    {
        // Not plain for the codec at all (the contract route declines too, or the serializer handles them).
        AssertContractRoute<object>(); // the serializer writes the value's run-time type
        AssertContractRoute<string>();
        AssertContractRoute<Uri>();
        AssertContractRoute<Exception>();
        AssertContractRoute<IShape>();
        AssertContractRoute<Nested>();
        AssertContractRoute<WithList>();
        AssertContractRoute<Collection>();
        AssertContractRoute<WithNullable>();
        AssertContractRoute<WithDecimal>();
        AssertContractRoute<WithDateTime>();
        AssertContractRoute<Generic<DateTime>>();
        AssertContractRoute<Struct>();
        AssertContractRoute<RecStruct>();
        AssertContractRoute<PositionalRec>();
        AssertContractRoute<OnlyParameterized>();
        AssertContractRoute<NonPublicConstructor>();
        AssertContractRoute<Abstract>();
        AssertContractRoute<FrameworkDerivedEventArgs>();

        // Conflicts: hidden, overridden and renamed members follow the resolver's own rules.
        AssertContractRoute<Hiding>();
        AssertContractRoute<HidingWithOtherName>();
        AssertContractRoute<Overriding>();
        AssertContractRoute<RenameClash>();

        // Any System.Text.Json attribute but [JsonPropertyName], required members, callbacks.
        AssertContractRoute<WithIgnore>();
        AssertContractRoute<WithIgnoreCondition>();
        AssertContractRoute<WithInclude>();
        AssertContractRoute<WithIncludeField>();
        AssertContractRoute<WithOrder>();
        AssertContractRoute<WithNumberHandling>();
        AssertContractRoute<WithTypeNumberHandling>();
        AssertContractRoute<WithPropertyConverter>();
        AssertContractRoute<WithTypeConverter>();
        AssertContractRoute<WithRequiredAttribute>();
        AssertContractRoute<WithRequiredKeyword>();
        AssertContractRoute<WithExtensionData>();
        AssertContractRoute<WithCallbacks>();
        AssertContractRoute<PolymorphicBase>();
        AssertContractRoute<PolymorphicDerived>();
        AssertContractRoute<WithJsonConstructor>();
        AssertContractRoute<WithUnmappedHandling>();
        AssertContractRoute<WithCreationHandling>();
    }

    [Test]
    public void Other_options_than_the_default_take_the_contract_route()
    {
        var options = new JsonSerializerOptions();
        options.MakeReadOnly(populateMissingResolver: true);
        Assert.That(JsonPocoCodec<AllTypes>.TryCreatePlain(options, out _), Is.False);
        Assert.That(Contract<AllTypes>(options), Is.Not.Null, "the contract route still builds the codec");
    }

    [Test]
    public void The_encoding_reads_and_writes_plain_classes_as_the_serializer_does()
    {
        // Through JsonRecordEncoding.Default (the plain route), against JsonSerializer on the same values.
        var encoding = JsonRecordEncoding.Default;
        var value = new Renamed { SepalLength = 6.9f, SepalWidth = 3.1f, Plain = 12 };
        var output = new ArrayBufferWriter<byte>();
        encoding.Encode(value, output);
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(JsonSerializer.SerializeToUtf8Bytes(value)));
        Renamed decoded = encoding.Decode<Renamed>(output.WrittenSpan);
        Assert.That((decoded.SepalLength, decoded.SepalWidth, decoded.Plain), Is.EqualTo((6.9f, 3.1f, 12)));

        // Declared as object: the serializer writes the run-time type (the contract route, as before).
        var untyped = new ArrayBufferWriter<byte>();
        encoding.Encode<object>(value, untyped);
        Assert.That(untyped.WrittenSpan.ToArray(), Is.EqualTo(JsonSerializer.SerializeToUtf8Bytes<object>(value)));

        // A record the codec declines (escaped key) goes to the serializer, whose contract is then built.
        Renamed escaped = encoding.Decode<Renamed>("{\"sepal\\u005flength\":1.5}"u8);
        Assert.That(escaped.SepalLength, Is.EqualTo(1.5f));
        Assert.That(() => encoding.Decode<Renamed>("{\"sepal_length\":\"x\"}"u8), Throws.InstanceOf<StreamFormatException>());
    }

    private static JsonPocoCodec<T>? Contract<T>(JsonSerializerOptions options) =>
        JsonPocoCodec<T>.TryCreate((JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));

    private static void AssertPlain<T>(T sample)
    {
        string shape = typeof(T).Name;
        Assert.That(JsonPocoCodec<T>.TryCreatePlain(JsonSerializerOptions.Default, out JsonPocoCodec<T>? plain), Is.True, shape + ": plain route");
        JsonPocoCodec<T>? contract = Contract<T>(JsonSerializerOptions.Default);
        Assert.That(contract, Is.Not.Null, shape + ": contract route");
        AssertSameMembers(plain!.Readers, contract!.Readers, shape + " readers");
        AssertSameMembers(plain.Writers, contract.Writers, shape + " writers");
        Assert.Multiple(() =>
        {
            Assert.That(plain.CanRead, Is.EqualTo(contract.CanRead), shape + ": can read");
            Assert.That(plain.Constructor, Is.EqualTo(contract.Constructor), shape + ": constructor");
            Assert.That(plain.AllRead, Is.EqualTo(contract.AllRead), shape + ": read mask");
            Assert.That(plain.InOrderReader is null, Is.EqualTo(contract.InOrderReader is null), shape + ": in-order reader");
            Assert.That(plain.EmittedWriter is null, Is.EqualTo(contract.EmittedWriter is null), shape + ": emitted writer");
        });

        // The same bytes as the serializer, and the same values read back.
        byte[] expected = JsonSerializer.SerializeToUtf8Bytes(sample);
        var written = new ArrayBufferWriter<byte>();
        if (plain.TryWrite(sample, written))
        {
            Assert.That(written.WrittenSpan.ToArray(), Is.EqualTo(expected), shape + ": written");
        }

        if (plain.CanRead && plain.TryRead(expected, out T read) && contract.TryRead(expected, out T other))
        {
            Assert.That(JsonSerializer.SerializeToUtf8Bytes(read), Is.EqualTo(JsonSerializer.SerializeToUtf8Bytes(other)), shape + ": read");
        }
    }

    private static void AssertSameMembers<T>(JsonPocoMember<T>[] plain, JsonPocoMember<T>[] contract, string what)
    {
        Assert.That(plain.Select(m => System.Text.Encoding.UTF8.GetString(m.Name)), Is.EqualTo(contract.Select(m => System.Text.Encoding.UTF8.GetString(m.Name))), what + ": names in order");
        for (int i = 0; i < plain.Length; i++)
        {
            JsonPocoMember<T> p = plain[i];
            JsonPocoMember<T> c = contract[i];
            Assert.Multiple(() =>
            {
                Assert.That(p.GetType(), Is.EqualTo(c.GetType()), what + ": member kind");
                Assert.That(p.ValueType, Is.EqualTo(c.ValueType), what + ": type");
                Assert.That(p.EscapedName, Is.EqualTo(c.EscapedName), what + ": escaped name");
                Assert.That(p.QuotedName, Is.EqualTo(c.QuotedName), what + ": quoted name");
                Assert.That(p.GetMethod, Is.EqualTo(c.GetMethod), what + ": getter");
                Assert.That(p.SetMethod, Is.EqualTo(c.SetMethod), what + ": setter");
                Assert.That(p.CanRead, Is.EqualTo(c.CanRead), what + ": can read");
                Assert.That(p.CanWrite, Is.EqualTo(c.CanWrite), what + ": can write");
            });
        }
    }

    private static void AssertContractRoute<T>() =>
        Assert.That(JsonPocoCodec<T>.TryCreatePlain(JsonSerializerOptions.Default, out _), Is.False, typeof(T).Name + ": contract route");
}
