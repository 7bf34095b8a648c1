using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Benchmarks.S3;

/// <summary>
/// S3 → json → identity model → S3 against a raw GetObject read to the end of the same object, in the same run.
/// Needs s3rver (tests/servers, <c>npm ci</c>) or <c>S3_SERVICE_URL</c>.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/FastScore.Streams.Benchmarks -- --filter '*S3ScoringBenchmarks*' --job short</c>.</remarks>
[MemoryDiagnoser]
public class S3ScoringBenchmarks
{
    private const string Bucket = "bench";
    private const string InputKey = "input.jsons";
    private LocalS3Server _server = null!;
    private AmazonS3Client _client = null!;
    private StreamFactory _factory = null!;

    /// <summary>Gets or sets the size of the input object in MiB.</summary>
    [Params(100)]
    public int SizeMiB { get; set; }

    /// <summary>Starts the server and uploads the input object (NDJSON iris-like records).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _server = new LocalS3Server();
        _client = new AmazonS3Client(new BasicAWSCredentials(_server.AccessKey, _server.SecretKey), new AmazonS3Config
        {
            ServiceURL = _server.ServiceUrl,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
        try
        {
            _client.PutBucketAsync(Bucket).GetAwaiter().GetResult();
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyExists" or "BucketAlreadyOwnedByYou")
        {
        }

        var body = new MemoryStream();
        long target = SizeMiB * 1024L * 1024L;
        for (long i = 1; body.Length < target; i++)
        {
            body.Write(Encoding.UTF8.GetBytes(
                $"{{\"id\":{i},\"sepal_length\":{5 + (i % 30 / 10.0):0.0},\"sepal_width\":3.1,\"petal_length\":{1 + (i % 50 / 10.0):0.0},\"petal_width\":0.2,\"species\":\"setosa\"}}\n"));
        }

        body.Position = 0;
        _client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = InputKey, InputStream = body, UseChunkEncoding = false }).GetAwaiter().GetResult();

        var options = new StreamFactoryOptions().AddS3();
        options.Encodings.TryAdd(EncodingTypes.Json, d => RecordEncodings.Create(d));
        options.Encodings.TryAdd(StreamFactoryOptions.NullEncodingKey, _ => RecordEncodings.Create(null));
        _factory = new StreamFactory(options);
    }

    /// <summary>Stops the server.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
    }

    /// <summary>The ceiling: GetObject, the body read to the end and dropped.</summary>
    /// <returns>The bytes read.</returns>
    [Benchmark(Baseline = true)]
    public async Task<long> RawGetObject()
    {
        using GetObjectResponse response = await _client.GetObjectAsync(Bucket, InputKey);
        var buffer = new byte[128 * 1024];
        long total = 0;
        int n;
        while ((n = await response.ResponseStream.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>The S3 input transport and the envelope alone: S3 → delimited → record batches (no decoding, no model).</summary>
    /// <returns>The records read.</returns>
    [Benchmark]
    public async Task<long> S3InputFramedRecords()
    {
        long records = 0;
        await using InputStream input = _factory.CreateInput(new StreamDescriptor
        {
            Transport = Input(),
            Envelope = new DelimitedEnvelopeDescriptor(),
            Encoding = null,
            Schema = SchemaReference.None,
        });
        while (await input.ReadBatchAsync() is { } batch)
        {
            records += batch.Count;
            batch.Dispose();
        }

        return records;
    }

    /// <summary>S3 → delimited → json → identity → json → delimited → S3 (multipart upload).</summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToJsonIdentityToS3() => Run(new S3TransportDescriptor
    {
        Bucket = Bucket,
        ObjectKey = "output.jsons",
        Endpoint = _server.ServiceUrl,
        AccessKeyId = _server.AccessKey,
        SecretAccessKey = _server.SecretKey,
    });

    /// <summary>
    /// S3 → delimited → json (validated) → identity over the record bytes → json → delimited → S3: the model takes the
    /// records as bytes, so no JSON tree is built (the host chooses the type; see docs/envelopes-encodings.md).
    /// </summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToJsonBytesIdentityToS3() => Run(new S3TransportDescriptor
    {
        Bucket = Bucket,
        ObjectKey = "output-bytes.jsons",
        Endpoint = _server.ServiceUrl,
        AccessKeyId = _server.AccessKey,
        SecretAccessKey = _server.SecretKey,
    }, new BytesIdentity());

    /// <summary>The input side alone: S3 → delimited → json → identity → json → discard.</summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToJsonIdentityToDiscard() => Run(new DiscardTransportDescriptor());

    private async Task<EngineState> Run(TransportDescriptor output, IModel? model = null)
    {
        await using var engine = new ScoringEngine(_factory);
        engine.LoadModel(model ?? new Identity());
        engine.Attach(0, new StreamDescriptor
        {
            Transport = Input(),
            Envelope = new DelimitedEnvelopeDescriptor(),
            Encoding = EncodingDescriptor.Json,
            Schema = SchemaReference.None,
        });
        engine.Attach(1, new StreamDescriptor
        {
            Transport = output,
            Envelope = output is DiscardTransportDescriptor ? null : new DelimitedEnvelopeDescriptor(),
            Encoding = EncodingDescriptor.Json,
            Schema = SchemaReference.None,
            LingerTime = null,
        });
        EngineState state = await engine.Completion.ConfigureAwait(false);
        return state == EngineState.Finished ? state : throw new InvalidOperationException(engine.Inspect().Error);
    }

    private S3TransportDescriptor Input() => new()
    {
        Bucket = Bucket,
        ObjectKey = InputKey,
        Endpoint = _server.ServiceUrl,
        AccessKeyId = _server.AccessKey,
        SecretAccessKey = _server.SecretKey,
    };

    private sealed class BytesIdentity : IModel<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>
    {
        public ValueTask ActionAsync(ReadOnlyMemory<byte> input, RecordContext context, IModelOutput<ReadOnlyMemory<byte>> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }

    private sealed class Identity : IModel<JsonElement, JsonElement>
    {
        public ValueTask ActionAsync(JsonElement input, RecordContext context, IModelOutput<JsonElement> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }
}
