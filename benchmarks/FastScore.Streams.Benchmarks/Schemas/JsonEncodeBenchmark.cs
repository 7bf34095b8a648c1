using System.Buffers;
using System.Text.Json;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Benchmarks.Schemas;

/// <summary>
/// Writing records with the <c>json</c> encoding against <c>JsonSerializer.Serialize</c> into the same buffer: iris
/// inputs (four floats of one or two digits) and iris outputs (three probabilities of 8–9 significant digits, as the
/// iris model writes them). Times are per record.
/// </summary>
[MemoryDiagnoser]
public class JsonEncodeBenchmark
{
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private IrisRecord[] _inputs = null!;
    private IrisScores[] _scores = null!;
    private JsonRecordEncoding _encoding = null!;
    private Utf8JsonWriter _writer = null!;

    /// <summary>Gets or sets which records are written.</summary>
    [Params("inputs", "scores")]
    public string Records { get; set; } = "inputs";

    /// <summary>The iris model's output.</summary>
    public sealed class IrisScores
    {
        /// <summary>Gets or sets the probability of setosa.</summary>
        public float A { get; set; }

        /// <summary>Gets or sets the probability of versicolor.</summary>
        public float B { get; set; }

        /// <summary>Gets or sets the probability of virginica.</summary>
        public float C { get; set; }
    }

    /// <summary>Decodes the 25 iris records and makes 25 score records like the model's.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _encoding = JsonRecordEncoding.Default;
        _inputs = IrisData.Records().Select(r => JsonSerializer.Deserialize<IrisRecord>(r)!).ToArray();
        var random = new Random(7);
        _scores = Enumerable.Range(0, 25).Select(_ =>
        {
            float a = (float)random.NextDouble(), b = (float)random.NextDouble() * (1 - a);
            return new IrisScores { A = a, B = b, C = 1 - a - b };
        }).ToArray();
        _writer = new Utf8JsonWriter(_output);
    }

    /// <summary>JsonSerializer through a reused Utf8JsonWriter (baseline).</summary>
    /// <returns>The bytes written.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = 25)]
    public int Serialize()
    {
        _output.ResetWrittenCount();
        for (int i = 0; i < 25; i++)
        {
            _writer.Reset(_output);
            if (Records == "inputs")
            {
                JsonSerializer.Serialize(_writer, _inputs[i]);
            }
            else
            {
                JsonSerializer.Serialize(_writer, _scores[i]);
            }

            _writer.Flush();
        }

        return _output.WrittenCount;
    }

    /// <summary>The json encoding (the codec's emitted writer for these types).</summary>
    /// <returns>The bytes written.</returns>
    [Benchmark(OperationsPerInvoke = 25)]
    public int EncodingEncode()
    {
        _output.ResetWrittenCount();
        for (int i = 0; i < 25; i++)
        {
            if (Records == "inputs")
            {
                _encoding.Encode(_inputs[i], _output);
            }
            else
            {
                _encoding.Encode(_scores[i], _output);
            }
        }

        return _output.WrittenCount;
    }
}
