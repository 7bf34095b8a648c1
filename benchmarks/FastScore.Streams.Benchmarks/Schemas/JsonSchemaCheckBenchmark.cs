using System.Text.Json;
using System.Text.Json.Serialization;
using FastScore.Streams.Encodings;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Benchmarks.Schemas;

/// <summary>
/// What checking the Avro schema adds to decoding: <c>JsonSerializer.Deserialize&lt;IrisRecord&gt;</c> alone against
/// schema check + decode, over the 25 iris records. Goal: checking costs under 25% of decoding.
/// </summary>
[MemoryDiagnoser]
public class JsonSchemaCheckBenchmark
{
    private byte[][] _records = null!;
    private JsonAvroSchemaChecker _checker = null!;
    private JsonRecordEncoding _encoding = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = IrisData.Records();
        _checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(IrisData.InputSchema));
        _encoding = JsonRecordEncoding.Default;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 25)]
    public float Deserialize()
    {
        float sum = 0;
        foreach (byte[] record in _records)
        {
            sum += JsonSerializer.Deserialize<IrisRecord>(record)!.PetalWidth;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 25)]
    public float EncodingDecode()
    {
        float sum = 0;
        foreach (byte[] record in _records)
        {
            sum += _encoding.Decode<IrisRecord>(record).PetalWidth;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 25)]
    public float CheckThenDecode()
    {
        float sum = 0;
        foreach (byte[] record in _records)
        {
            if (_checker.TryCheck(record, out _))
            {
                sum += _encoding.Decode<IrisRecord>(record).PetalWidth;
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 25)]
    public int CheckOnly()
    {
        int valid = 0;
        foreach (byte[] record in _records)
        {
            valid += _checker.TryCheck(record, out _) ? 1 : 0;
        }

        return valid;
    }
}
