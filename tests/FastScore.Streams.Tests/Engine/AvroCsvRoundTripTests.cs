using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Avro.File;
using Avro.Generic;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// Issue 14 point 6: file → engine → file for every pair of json, avro-binary (bare), ocf-block and csv. Inputs are
/// written and outputs read by independent implementations (System.Text.Json, Apache.Avro, CsvHelper, Debian's avrocat).
/// </summary>
public sealed class AvroCsvRoundTripTests : EngineTestBase
{
    public enum Format
    {
        Json,
        AvroBinary,
        Ocf,
        OcfSnappy,
        Csv,
    }

    private const int Count = 1500;

    /// <summary>One Iris record as plain values: what every format must carry exactly.</summary>
    private sealed record Row(double SepalLength, double SepalWidth, double PetalLength, double? PetalWidth, string Species);

    private static Row Expected(int i)
    {
        GenericRecord r = AvroCsvEngineTests.IrisRecord(i);
        return new Row((double)r["sepal_length"], (double)r["sepal_width"], (double)r["petal_length"], (double?)r["petal_width"], (string)r["species"]);
    }

    private static Row FromGeneric(GenericRecord r) =>
        new((double)r["sepal_length"], (double)r["sepal_width"], (double)r["petal_length"], (double?)r["petal_width"], (string)r["species"]);

    private string WriteInput(Format format)
    {
        string path = PathOf("in." + format);
        IEnumerable<GenericRecord> records = Enumerable.Range(0, Count).Select(AvroCsvEngineTests.IrisRecord);
        switch (format)
        {
            case Format.Json:
                using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
                {
                    foreach (Row row in Enumerable.Range(0, Count).Select(Expected))
                    {
                        writer.Write(JsonSerializer.Serialize(new Dictionary<string, object?>
                        {
                            ["sepal_length"] = row.SepalLength, ["sepal_width"] = row.SepalWidth, ["petal_length"] = row.PetalLength,
                            ["petal_width"] = row.PetalWidth, ["species"] = row.Species,
                        }));
                        writer.Write('\n');
                    }
                }

                break;
            case Format.AvroBinary:
                using (FileStream file = System.IO.File.Create(path))
                {
                    var datum = new GenericDatumWriter<GenericRecord>(AvroCsvEngineTests.Iris);
                    var encoder = new Avro.IO.BinaryEncoder(file);
                    foreach (GenericRecord record in records)
                    {
                        datum.Write(record, encoder);
                    }

                    encoder.Flush();
                }

                break;
            case Format.Ocf:
                AvroCsvEngineTests.WriteOcf(path, records);
                break;
            case Format.OcfSnappy: // Apache.Avro has no snappy codec: Debian's avromod recompresses its file
                AvroCsvEngineTests.WriteOcf(path + ".deflate", records);
                Run("avromod", "--codec=snappy", path + ".deflate", path);
                break;
            case Format.Csv:
                using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
                using (var csv = CsvHelper.CsvWriter.Create(writer, CsvHelper.CsvWriterOptions.Default))
                {
                    csv.WriteRecord((string[])["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]);
                    foreach (Row row in Enumerable.Range(0, Count).Select(Expected))
                    {
                        csv.WriteRecord((string[])[
                            row.SepalLength.ToString("R", CultureInfo.InvariantCulture), row.SepalWidth.ToString("R", CultureInfo.InvariantCulture),
                            row.PetalLength.ToString("R", CultureInfo.InvariantCulture), row.PetalWidth?.ToString("R", CultureInfo.InvariantCulture) ?? "", row.Species]);
                    }
                }

                break;
        }

        return path;
    }

    private static List<Row> ReadOutput(Format format, string path)
    {
        switch (format)
        {
            case Format.Json:
                return [.. System.IO.File.ReadLines(path).Select(l =>
                {
                    JsonElement e = JsonDocument.Parse(l).RootElement;
                    JsonElement pw = e.GetProperty("petal_width");
                    return new Row(e.GetProperty("sepal_length").GetDouble(), e.GetProperty("sepal_width").GetDouble(), e.GetProperty("petal_length").GetDouble(),
                        pw.ValueKind == JsonValueKind.Null ? null : pw.GetDouble(), e.GetProperty("species").GetString()!);
                })];
            case Format.AvroBinary:
            {
                var rows = new List<Row>();
                using FileStream file = System.IO.File.OpenRead(path);
                var datum = new GenericDatumReader<GenericRecord>(AvroCsvEngineTests.Iris, AvroCsvEngineTests.Iris);
                var decoder = new Avro.IO.BinaryDecoder(file);
                while (file.Position < file.Length)
                {
                    rows.Add(FromGeneric(datum.Read(null!, decoder)));
                }

                return rows;
            }

            case Format.Ocf:
                return [.. AvroCsvEngineTests.ReadOcf(path).Select(FromGeneric)];
            case Format.OcfSnappy:
                Run("avromod", "--codec=null", path, path + ".null");
                return [.. AvroCsvEngineTests.ReadOcf(path + ".null").Select(FromGeneric)];
            default:
            {
                var rows = new List<Row>();
                CsvHelper.CsvReaderOptions options = CsvHelper.CsvReaderOptions.Default with { HasHeader = false, TrimWhitespace = false };
                using CsvHelper.CsvReader csv = CsvHelper.CsvReader.FromText(System.IO.File.ReadAllText(path), options);
                Assert.That(csv.Read(), Is.True);
                Assert.That(Enumerable.Range(0, csv.FieldCount).Select(csv.GetString), Is.EqualTo(new[] { "sepal_length", "sepal_width", "petal_length", "petal_width", "species" }));
                while (csv.Read())
                {
                    string pw = csv.GetString(3);
                    rows.Add(new Row(double.Parse(csv.GetString(0), CultureInfo.InvariantCulture), double.Parse(csv.GetString(1), CultureInfo.InvariantCulture),
                        double.Parse(csv.GetString(2), CultureInfo.InvariantCulture), pw.Length == 0 ? null : double.Parse(pw, CultureInfo.InvariantCulture), csv.GetString(4)));
                }

                return rows;
            }
        }
    }

    private static StreamDescriptor Descriptor(Format format, string path) => new()
    {
        Transport = new FileTransportDescriptor { Path = path },
        Envelope = format switch
        {
            Format.Json => new DelimitedEnvelopeDescriptor(),
            Format.AvroBinary => null,
            Format.Ocf => new OcfBlockEnvelopeDescriptor { Compress = "deflate" },
            Format.OcfSnappy => new OcfBlockEnvelopeDescriptor { Compress = "snappy" },
            _ => new DelimitedCsvEnvelopeDescriptor(),
        },
        Encoding = format switch
        {
            Format.Json => EncodingDescriptor.Json,
            Format.Csv => EncodingDescriptor.Csv,
            _ => EncodingDescriptor.AvroBinary,
        },
        Schema = SchemaReference.Inline(AvroCsvEngineTests.IrisSchema),
    };

    public static IEnumerable<TestCaseData> Pairs() =>
        from input in Enum.GetValues<Format>()
        from output in Enum.GetValues<Format>()
        select new TestCaseData(input, output).SetName($"Round_trip_{input}_to_{output}");

    [TestCaseSource(nameof(Pairs))]
    public async Task A_file_goes_through_the_engine_into_another_format_unchanged(Format from, Format to)
    {
        string input = WriteInput(from);
        string output = PathOf("out." + to);

        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, Descriptor(from, input));
        engine.Attach(1, Descriptor(to, output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().Rejections, Is.Empty);
            Assert.That(ReadOutput(to, output), Is.EqualTo(Enumerable.Range(0, Count).Select(Expected).ToList()));
        });
        if (to is Format.Ocf or Format.OcfSnappy)
        {
            string[] lines = Avrocat(output);
            Assert.That(lines, Has.Length.EqualTo(Count), "Debian's avrocat reads the file written here");
            using JsonDocument first = JsonDocument.Parse(lines[1]);
            Assert.That(first.RootElement.GetProperty("species").GetString(), Is.EqualTo(Expected(1).Species));
        }
    }

    [Test]
    public async Task A_file_rewritten_by_Debians_avromod_runs_through_the_engine()
    {
        string written = WriteInput(Format.Ocf);
        string input = PathOf("snappy.avro");
        Run("avromod", "--codec=snappy", written, input);
        string output = PathOf("out.avro");

        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<GenericRecord>());
        engine.Attach(0, Descriptor(Format.Ocf, input) with { Envelope = new OcfBlockEnvelopeDescriptor() });
        engine.Attach(1, Descriptor(Format.Ocf, output) with { Envelope = new OcfBlockEnvelopeDescriptor { Compress = "null" } });

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(ReadOutput(Format.Ocf, output), Is.EqualTo(Enumerable.Range(0, Count).Select(Expected).ToList()));
    }

    private static string[] Avrocat(string path) => Run("avrocat", path).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{tool}: {stderr}");
        return stdout.Result;
    }
}
