using Avro.Generic;
using Avro.IO;

namespace FastScore.Streams.Tests.Encodings.AvroBinary;

/// <summary>Schemas, POCOs and Apache.Avro round trips the avro-binary tests share.</summary>
internal static class AvroTestData
{
    public const string Iris = """{"type":"record","name":"xgboost_input","fields":[{"name":"sepal_length","type":"float"},{"name":"sepal_width","type":"float"},{"name":"petal_length","type":"float"},{"name":"petal_width","type":"float"}]}""";

    public const string Rich = """
        {"type":"record","name":"Rich","namespace":"test","fields":[
          {"name":"b","type":"boolean"},
          {"name":"i","type":"int"},
          {"name":"l","type":"long"},
          {"name":"f","type":"float"},
          {"name":"d","type":"double"},
          {"name":"s","type":"string"},
          {"name":"by","type":"bytes"},
          {"name":"e","type":{"type":"enum","name":"Colour","symbols":["RED","GREEN","BLUE"]}},
          {"name":"x","type":{"type":"fixed","name":"Two","size":2}},
          {"name":"a","type":{"type":"array","items":"int"}},
          {"name":"m","type":{"type":"map","values":"string"}},
          {"name":"n","type":["null","string"]},
          {"name":"ni","type":["null","int"]},
          {"name":"child","type":["null",{"type":"record","name":"Child","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Child"]}]}]}
        ]}
        """;

    public static Avro.Schema Parse(string json) => Avro.Schema.Parse(json);

    /// <summary>Apache.Avro's binary of a generic value.</summary>
    public static byte[] ApacheEncode(Avro.Schema schema, object? value)
    {
        using var stream = new MemoryStream();
        var writer = new GenericDatumWriter<object?>(schema);
        writer.Write(value, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>Apache.Avro's reading of binary, with resolution.</summary>
    public static object? ApacheDecode(Avro.Schema writer, Avro.Schema reader, byte[] bytes)
    {
        var datumReader = new GenericDatumReader<object?>(writer, reader);
        return datumReader.Read(null, new BinaryDecoder(new MemoryStream(bytes)));
    }

    public static GenericRecord IrisRecord(Avro.Schema schema, float a, float b, float c, float d)
    {
        var record = new GenericRecord((Avro.RecordSchema)schema);
        record.Add("sepal_length", a);
        record.Add("sepal_width", b);
        record.Add("petal_length", c);
        record.Add("petal_width", d);
        return record;
    }

    public static GenericRecord RichRecord(Avro.Schema schema, int seed)
    {
        var rs = (Avro.RecordSchema)schema;
        var record = new GenericRecord(rs);
        record.Add("b", seed % 2 == 0);
        record.Add("i", -seed * 1000);
        record.Add("l", (long)seed * 1_000_000_007L);
        record.Add("f", seed / 3f);
        record.Add("d", -seed / 7d);
        record.Add("s", "é☮" + seed);
        record.Add("by", new byte[] { 0, (byte)seed, 255 });
        var colour = (Avro.EnumSchema)rs["e"].Schema;
        record.Add("e", new GenericEnum(colour, colour.Symbols[seed % 3]));
        record.Add("x", new GenericFixed((Avro.FixedSchema)rs["x"].Schema, [1, (byte)seed]));
        record.Add("a", Enumerable.Range(0, seed % 4).Select(v => v * seed).ToArray());
        record.Add("m", new Dictionary<string, object> { ["k" + seed] = "v" + seed });
        record.Add("n", seed % 2 == 0 ? null : "text");
        record.Add("ni", seed % 3 == 0 ? null : seed);
        var childSchema = (Avro.RecordSchema)((Avro.UnionSchema)rs["child"].Schema).Schemas[1];
        GenericRecord? child = null;
        for (int k = 0; k < seed % 3; k++)
        {
            var next = new GenericRecord(childSchema);
            next.Add("v", (long)k);
            next.Add("next", child);
            child = next;
        }

        record.Add("child", child);
        return record;
    }
}

public sealed class IrisPoco
{
    [System.Text.Json.Serialization.JsonPropertyName("sepal_length")]
    public float SepalLength { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("sepal_width")]
    public float SepalWidth { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("petal_length")]
    public float PetalLength { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("petal_width")]
    public float PetalWidth { get; set; }
}

public enum Colour
{
    Red,
    Green,
    Blue,
}

public sealed class ChildPoco
{
    public long V { get; set; }

    public ChildPoco? Next { get; set; }
}

public sealed class RichPoco
{
    public bool B { get; set; }

    public int I { get; set; }

    public long L { get; set; }

    public float F { get; set; }

    public double D { get; set; }

    public string S { get; set; } = "";

    public byte[] By { get; set; } = [];

    public Colour E { get; set; }

    public byte[] X { get; set; } = [];

    public List<int> A { get; set; } = [];

    public Dictionary<string, string> M { get; set; } = [];

    public string? N { get; set; }

    public int? Ni { get; set; }

    public ChildPoco? Child { get; set; }
}
