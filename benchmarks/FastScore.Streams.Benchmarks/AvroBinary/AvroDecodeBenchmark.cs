using System.Buffers;
using Avro.File;
using Avro.Generic;
using Avro.IO;
using BenchmarkDotNet.Attributes;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Envelopes.Ocf;

namespace FastScore.Streams.Benchmarks.AvroBinary;

/// <summary>
/// avro-binary decoding of iris records (four floats) against Apache.Avro's <c>GenericDatumReader</c> (the baseline),
/// reading 1,000 records one after another from one decoder, as a container-file reader does. Times are per record.
/// </summary>
[MemoryDiagnoser]
public class AvroDecodeBenchmark
{
    public const int Count = 1000;
    private global::Avro.Schema _schema = null!;
    private byte[] _all = null!;
    private int[] _offsets = null!;
    private AvroBinaryRecordEncoding _encoding = null!;
    private AvroBinaryRecordEncoding _interpreted = null!;
    private GenericDatumReader<GenericRecord> _apache = null!;

    /// <summary>Encodes the records with Apache.Avro.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _schema = global::Avro.Schema.Parse(AvroBenchData.IrisSchema);
        using var stream = new MemoryStream();
        var writer = new GenericDatumWriter<GenericRecord>(_schema);
        var encoder = new BinaryEncoder(stream);
        _offsets = new int[Count + 1];
        for (int i = 0; i < Count; i++)
        {
            _offsets[i] = (int)stream.Position;
            writer.Write(AvroBenchData.Iris(_schema, i), encoder);
        }

        _offsets[Count] = (int)stream.Position;
        _all = stream.ToArray();
        _encoding = new AvroBinaryRecordEncoding(_schema);
        _interpreted = new AvroBinaryRecordEncoding(_schema, emit: false);
        _apache = new GenericDatumReader<GenericRecord>(_schema, _schema);
    }

    /// <summary>Apache.Avro's generic reader.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public float ApacheGenericDatumReader()
    {
        var decoder = new BinaryDecoder(new MemoryStream(_all, writable: false));
        float sum = 0;
        for (int i = 0; i < Count; i++)
        {
            GenericRecord record = _apache.Read(null!, decoder);
            sum += (float)record.GetValue(3);
        }

        return sum;
    }

    /// <summary>avro-binary to a POCO.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public float DecodePoco()
    {
        float sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += _encoding.Decode<IrisRecord>(_all.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i])).PetalWidth;
        }

        return sum;
    }

    /// <summary>avro-binary to a POCO, interpreted (as without dynamic code).</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public float DecodePocoInterpreted()
    {
        float sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += _interpreted.Decode<IrisRecord>(_all.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i])).PetalWidth;
        }

        return sum;
    }

    /// <summary>avro-binary to Apache.Avro's generic record.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public float DecodeGenericRecord()
    {
        float sum = 0;
        for (int i = 0; i < Count; i++)
        {
            sum += (float)_encoding.Decode<GenericRecord>(_all.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i])).GetValue(3);
        }

        return sum;
    }
}

/// <summary>
/// Reading a deflate container file of 20,000 iris records written by Apache.Avro's <c>DataFileWriter</c>: Apache.Avro's
/// <c>DataFileReader</c> (the baseline) against the ocf-block framer and the avro-binary decoder. Times are per file.
/// </summary>
[MemoryDiagnoser]
public class OcfReadBenchmark
{
    public const int Count = 20_000;
    private global::Avro.Schema _schema = null!;
    private byte[] _file = null!;
    private AvroBinaryRecordEncoding _encoding = null!;

    /// <summary>Writes the file with Apache.Avro.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _schema = global::Avro.Schema.Parse(AvroBenchData.IrisSchema);
        var stream = new MemoryStream();
        using (IFileWriter<GenericRecord> writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(_schema), stream, Codec.CreateCodec(Codec.Type.Deflate), leaveOpen: true))
        {
            for (int i = 0; i < Count; i++)
            {
                writer.Append(AvroBenchData.Iris(_schema, i));
            }
        }

        _file = stream.ToArray();
        _encoding = new AvroBinaryRecordEncoding(_schema);
    }

    /// <summary>Apache.Avro's DataFileReader, generic records.</summary>
    [Benchmark(Baseline = true)]
    public float DataFileReader()
    {
        using IFileReader<GenericRecord> reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(_file, writable: false));
        float sum = 0;
        foreach (GenericRecord record in reader.NextEntries)
        {
            sum += (float)record.GetValue(3);
        }

        return sum;
    }

    /// <summary>The ocf-block framer, records decoded to a POCO.</summary>
    [Benchmark]
    public float OcfFramerToPoco() => Read(span => _encoding.Decode<IrisRecord>(span).PetalWidth);

    /// <summary>The ocf-block framer, records decoded to generic records.</summary>
    [Benchmark]
    public float OcfFramerToGenericRecord() => Read(span => (float)_encoding.Decode<GenericRecord>(span).GetValue(3));

    private delegate float Value(ReadOnlySpan<byte> record);

    private float Read(Value value)
    {
        var framer = new OcfBlockFramer(new OcfReadOptions(_schema));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_file));
        float sum = 0;
        while (true)
        {
            FrameStatus status = framer.TryReadFrame(ref reader, true, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                return sum;
            }

            if (status == FrameStatus.Frame)
            {
                sum += value(frame.FirstSpan);
            }
        }
    }
}

/// <summary>The iris schema and records of the Avro benchmarks.</summary>
public static class AvroBenchData
{
    /// <summary>The FastScore xgboost example's input schema.</summary>
    public const string IrisSchema = """{"type":"record","name":"xgboost_input","fields":[{"name":"sepal_length","type":"float"},{"name":"sepal_width","type":"float"},{"name":"petal_length","type":"float"},{"name":"petal_width","type":"float"}]}""";

    /// <summary>A record of plausible values.</summary>
    public static GenericRecord Iris(global::Avro.Schema schema, int i)
    {
        var record = new GenericRecord((global::Avro.RecordSchema)schema);
        record.Add("sepal_length", 4.3f + (i % 36 / 10f));
        record.Add("sepal_width", 2.0f + (i % 24 / 10f));
        record.Add("petal_length", 1.0f + (i % 59 / 10f));
        record.Add("petal_width", 0.1f + (i % 25 / 10f));
        return record;
    }
}
