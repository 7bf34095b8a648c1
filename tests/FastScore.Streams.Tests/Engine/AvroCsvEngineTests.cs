using System.Text.Json;
using Avro.File;
using Avro.Generic;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>Issue 14 point 1–4: avro-binary, ocf-block, csv and delimited-csv are registered providers that run file → engine → file.</summary>
public sealed class AvroCsvEngineTests : EngineTestBase
{
    internal const string IrisSchema = """
        {"type":"record","name":"Iris","fields":[
          {"name":"sepal_length","type":"double"},{"name":"sepal_width","type":"double"},
          {"name":"petal_length","type":"double"},{"name":"petal_width","type":["null","double"]},
          {"name":"species","type":"string"}]}
        """;

    internal static readonly Avro.RecordSchema Iris = (Avro.RecordSchema)Avro.Schema.Parse(IrisSchema);

    internal static GenericRecord IrisRecord(int i)
    {
        var r = new GenericRecord(Iris);
        r.Add("sepal_length", 5.0 + i / 10.0);
        r.Add("sepal_width", 3.5);
        r.Add("petal_length", 1.25 * i);
        r.Add("petal_width", i % 3 == 0 ? null : (object)(0.5 * i));
        r.Add("species", i % 2 == 0 ? "setosa" : "virginica, \"big\"");
        return r;
    }

    internal static void WriteOcf(string path, IEnumerable<GenericRecord> records, Avro.File.Codec.Type codec = Avro.File.Codec.Type.Deflate)
    {
        using IFileWriter<GenericRecord> writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(Iris), path, Avro.File.Codec.CreateCodec(codec));
        foreach (GenericRecord record in records)
        {
            writer.Append(record);
        }
    }

    internal static List<GenericRecord> ReadOcf(string path)
    {
        using IFileReader<GenericRecord> reader = DataFileReader<GenericRecord>.OpenReader(path);
        return [.. reader.NextEntries];
    }

    private static StreamDescriptor Stream(string path, EnvelopeDescriptor? envelope, EncodingDescriptor encoding, string? schema = IrisSchema) => new()
    {
        Transport = new FileTransportDescriptor { Path = path },
        Envelope = envelope,
        Encoding = encoding,
        Schema = schema is null ? SchemaReference.None : SchemaReference.Inline(schema),
    };

    [Test]
    public async Task An_ocf_file_runs_through_the_engine_into_an_ocf_file_that_Apache_Avro_reads()
    {
        string input = PathOf("in.avro");
        string output = PathOf("out.avro");
        WriteOcf(input, Enumerable.Range(0, 2500).Select(IrisRecord));

        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, Stream(input, new OcfBlockEnvelopeDescriptor(), EncodingDescriptor.AvroBinary));
        engine.Attach(1, Stream(output, new OcfBlockEnvelopeDescriptor { Compress = "deflate" }, EncodingDescriptor.AvroBinary));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        List<GenericRecord> read = ReadOcf(output);
        Assert.That(read, Has.Count.EqualTo(2500));
        Assert.That(read, Is.EqualTo(Enumerable.Range(0, 2500).Select(IrisRecord).ToList()));
        Assert.That(Slot(engine, 0).Records, Is.EqualTo(2500));
    }

    [Test]
    public async Task A_bare_avro_binary_file_needs_no_envelope()
    {
        string input = PathOf("in.bin");
        string output = PathOf("out.bin");
        using (FileStream file = System.IO.File.Create(input))
        {
            var writer = new GenericDatumWriter<GenericRecord>(Iris);
            var encoder = new Avro.IO.BinaryEncoder(file);
            for (int i = 0; i < 100; i++)
            {
                writer.Write(IrisRecord(i), encoder);
            }

            encoder.Flush();
        }

        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<GenericRecord>());
        engine.Attach(0, Stream(input, null, EncodingDescriptor.AvroBinary));
        engine.Attach(1, Stream(output, null, EncodingDescriptor.AvroBinary));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(System.IO.File.ReadAllBytes(output), Is.EqualTo(System.IO.File.ReadAllBytes(input)));
    }

    [Test]
    public async Task A_csv_file_runs_through_the_engine_into_a_csv_file()
    {
        string input = PathOf("in.csv");
        System.IO.File.WriteAllText(input,
            "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n4.9,3,1.4,,\"virginica, \"\"big\"\"\"\n\n6.2,2.9,5.4,2.3,versicolor\n");
        string output = PathOf("out.csv");

        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, Stream(input, new DelimitedCsvEnvelopeDescriptor(), EncodingDescriptor.Csv));
        engine.Attach(1, Stream(output, new DelimitedCsvEnvelopeDescriptor(), EncodingDescriptor.Csv));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(System.IO.File.ReadAllText(output), Is.EqualTo(
            "sepal_length,sepal_width,petal_length,petal_width,species\r\n5.1,3.5,1.4,0.2,setosa\r\n4.9,3,1.4,,\"virginica, \"\"big\"\"\"\r\n6.2,2.9,5.4,2.3,versicolor\r\n"));
    }

    [Test]
    public async Task A_csv_input_without_a_schema_takes_its_columns_from_the_header()
    {
        string input = PathOf("in.csv");
        System.IO.File.WriteAllText(input, "id,name\r\n7,\"Smith, J\"\r\n8,\r\n");
        string output = PathOf("out.jsons");

        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, Stream(input, new DelimitedCsvEnvelopeDescriptor(), EncodingDescriptor.Csv, schema: null));
        engine.Attach(1, File(output, schema: SchemaReference.None));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(Lines(output), Is.EqualTo(new[] { """{"id":"7","name":"Smith, J"}""", """{"id":"8","name":""}""" }));
    }
}
