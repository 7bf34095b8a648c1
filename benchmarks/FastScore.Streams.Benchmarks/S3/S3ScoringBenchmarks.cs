using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;
using FastScore.Streams.S3;

namespace FastScore.Streams.Benchmarks.S3;

/// <summary>
/// S3 → json → identity model → S3 against a raw GetObject read to the end of the same object, in the same run, with
/// the floors of any S3 → S3 job on the same server: a raw multipart upload of the same bytes, and a raw copy (GetObject
/// streamed into a multipart upload, no parsing). Needs s3rver (tests/servers, <c>npm ci</c>) or <c>S3_SERVICE_URL</c>.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/FastScore.Streams.Benchmarks -- --filter '*S3ScoringBenchmarks*' --job short</c>.</remarks>
[MemoryDiagnoser]
public class S3ScoringBenchmarks
{
    /// <summary>The part size of the raw uploads and of the transport (its default).</summary>
    public const int PartSize = 8 * 1024 * 1024;

    private const string Bucket = "bench";
    private const string InputKey = "input.jsons";
    private LocalS3Server _server = null!;
    private AmazonS3Client _client = null!;
    private StreamFactory _factory = null!;
    private byte[] _object = [];
    private readonly string _localCopy = Path.Combine(Path.GetTempPath(), $"fastscore-bench-s3-{Environment.ProcessId}.jsons");

    /// <summary>Gets or sets the size of the input object in MiB.</summary>
    [Params(100)]
    public int SizeMiB { get; set; }

    /// <summary>Gets or sets how many parts the raw concurrent upload and the raw copy send at once.</summary>
    public int RawConcurrency { get; set; } = 2;

    /// <summary>Gets the local server (its process id, for CPU accounting by the probe).</summary>
    internal LocalS3Server Server => _server;

    /// <summary>Gets or sets the settings of the S3 transport (the probe changes them between rounds).</summary>
    internal S3TransportOptions TransportOptions { get; set; } = new();

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

        _object = body.ToArray();
        body.Position = 0;
        _client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = InputKey, InputStream = body, UseChunkEncoding = false }).GetAwaiter().GetResult();
        Records = _object.AsSpan().Count((byte)'\n');
        UseOptions(TransportOptions);
    }

    /// <summary>Gets the number of records in the input object.</summary>
    internal long Records { get; private set; }

    /// <summary>Rebuilds the stream factory with other S3 settings.</summary>
    internal void UseOptions(S3TransportOptions options)
    {
        TransportOptions = options;
        var factoryOptions = new StreamFactoryOptions().AddS3(options);
        _factory = new StreamFactory(factoryOptions);
    }

    /// <summary>Stops the server.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
        File.Delete(_localCopy);
        File.Delete(_localCopy + ".out");
    }

    /// <summary>The ceiling: GetObject, the body read to the end and dropped.</summary>
    /// <returns>The bytes read.</returns>
    [Benchmark(Baseline = true)]
    public Task<long> RawGetObject() => ReadToEndAsync(new GetObjectRequest { BucketName = Bucket, Key = InputKey });

    /// <summary>
    /// GetObject with <c>Range: bytes=0-</c>: the same bytes, without the SDK's MD5 of the body (the SDK checks a whole-object
    /// GET against a single-part ETag). This is how the input transport reads when <c>IntegrityChecks</c> is false.
    /// </summary>
    /// <returns>The bytes read.</returns>
    [Benchmark]
    public Task<long> RawGetObjectUnhashed() => ReadToEndAsync(new GetObjectRequest { BucketName = Bucket, Key = InputKey, ByteRange = new ByteRange("bytes=0-") });

    private async Task<long> ReadToEndAsync(GetObjectRequest request)
    {
        using GetObjectResponse response = await _client.GetObjectAsync(request);
        var buffer = new byte[128 * 1024];
        long total = 0;
        int n;
        while ((n = await response.ResponseStream.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>The output floor: the same bytes (from memory) uploaded by the SDK as a multipart upload, one part at a time.</summary>
    /// <returns>The bytes written.</returns>
    [Benchmark]
    public Task<long> RawMultipartPut() => RawUpload("raw-put-1.jsons", 1);

    /// <summary>The output floor with <see cref="RawConcurrency"/> parts in flight.</summary>
    /// <returns>The bytes written.</returns>
    [Benchmark]
    public Task<long> RawMultipartPutConcurrent() => RawUpload($"raw-put-{RawConcurrency}.jsons", RawConcurrency);

    /// <summary>
    /// The floor of any S3 → S3 job: GetObject (unhashed, as the transport reads) streamed into a multipart upload
    /// (<see cref="RawConcurrency"/> parts in flight, 8 MiB parts), bytes copied unparsed.
    /// </summary>
    /// <returns>The bytes copied.</returns>
    [Benchmark]
    public async Task<long> RawCopy()
    {
        const string key = "raw-copy.jsons";
        string uploadId = (await _client.InitiateMultipartUploadAsync(Bucket, key)).UploadId;
        var parts = new List<Task<PartETag>>();
        var free = new Stack<byte[]>();
        using GetObjectResponse response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = InputKey, ByteRange = new ByteRange("bytes=0-") });
        long total = 0;
        while (true)
        {
            byte[] part;
            lock (free)
            {
                part = free.Count > 0 ? free.Pop() : new byte[PartSize];
            }

            int used = 0;
            int n;
            while (used < part.Length && (n = await response.ResponseStream.ReadAsync(part.AsMemory(used))) > 0)
            {
                used += n;
            }

            if (used == 0)
            {
                break;
            }

            total += used;
            parts.Add(UploadPartAsync(key, uploadId, parts.Count + 1, part, used, free));
            while (parts.Count(p => !p.IsCompleted) >= RawConcurrency)
            {
                await Task.WhenAny(parts.Where(p => !p.IsCompleted));
            }

            if (used < part.Length)
            {
                break;
            }
        }

        await CompleteAsync(key, uploadId, parts);
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

    /// <summary>S3 → json (validated) → identity over the record bytes → json → discard.</summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToBytesToDiscard() => Run(new DiscardTransportDescriptor(), new BytesIdentity());

    /// <summary>S3 → json → identity over <see cref="JsonElement"/> → json → discard.</summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToJsonElementToDiscard() => Run(new DiscardTransportDescriptor(), new JsonElementIdentity());

    /// <summary>S3 → json → identity over a typed record (<see cref="BenchRecord"/>) → json → discard.</summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToPocoToDiscard() => Run(new DiscardTransportDescriptor(), new PocoIdentity());

    /// <summary>S3 → json (validated) → identity over the record bytes → json → S3 (multipart upload).</summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToBytesToS3() => Run(Output("out-bytes.jsons"), new BytesIdentity());

    /// <summary>S3 → json → identity over <see cref="JsonElement"/> → json → S3 (multipart upload).</summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToJsonElementToS3() => Run(Output("out-element.jsons"), new JsonElementIdentity());

    /// <summary>S3 → json → identity over a typed record → json → S3 (multipart upload).</summary>
    /// <returns>The final engine state.</returns>
    [Benchmark]
    public Task<EngineState> S3ToPocoToS3() => Run(Output("out-poco.jsons"), new PocoIdentity());

    /// <summary>Probe only: the same records from a local file (bytes model) to discard, to compare the S3 input with a file input.</summary>
    internal Task<EngineState> FileToBytesToDiscard() => Run(new DiscardTransportDescriptor(), new BytesIdentity(), FileInput());

    /// <summary>Probe only: local file → json → JsonElement identity → discard.</summary>
    internal Task<EngineState> FileToJsonElementToDiscard() => Run(new DiscardTransportDescriptor(), new JsonElementIdentity(), FileInput());

    /// <summary>Probe only: local file → json → POCO identity → discard.</summary>
    internal Task<EngineState> FileToPocoToDiscard() => Run(new DiscardTransportDescriptor(), new PocoIdentity(), FileInput());

    /// <summary>Probe only: local file → json → bytes identity → local file.</summary>
    internal Task<EngineState> FileToBytesToFile() => Run(new FileTransportDescriptor { Path = _localCopy + ".out" }, new BytesIdentity(), FileInput());

    /// <summary>Reads an output object back (for the probe's check).</summary>
    internal async Task<byte[]> ReadAsync(string key)
    {
        using GetObjectResponse response = await _client.GetObjectAsync(Bucket, key);
        var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Gets the input object's bytes.</summary>
    internal ReadOnlyMemory<byte> Object => _object;

    private async Task<long> RawUpload(string key, int concurrency)
    {
        string uploadId = (await _client.InitiateMultipartUploadAsync(Bucket, key)).UploadId;
        var parts = new List<Task<PartETag>>();
        for (int offset = 0, number = 1; offset < _object.Length; offset += PartSize, number++)
        {
            int length = Math.Min(PartSize, _object.Length - offset);
            parts.Add(UploadSliceAsync(key, uploadId, number, offset, length));
            while (parts.Count(p => !p.IsCompleted) >= concurrency)
            {
                await Task.WhenAny(parts.Where(p => !p.IsCompleted));
            }
        }

        await CompleteAsync(key, uploadId, parts);
        return _object.Length;
    }

    private Task<PartETag> UploadSliceAsync(string key, string uploadId, int number, int offset, int length) =>
        UploadAsync(key, uploadId, number, _object, offset, length);

    private async Task<PartETag> UploadAsync(string key, string uploadId, int number, byte[] buffer, int offset, int length)
    {
        using var body = new MemoryStream(buffer, offset, length, writable: false);
        return new PartETag(await _client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = Bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = number,
            PartSize = length,
            InputStream = body,
            UseChunkEncoding = false,
        }));
    }

    private async Task<PartETag> UploadPartAsync(string key, string uploadId, int number, byte[] buffer, int length, Stack<byte[]> free)
    {
        try
        {
            return await UploadAsync(key, uploadId, number, buffer, 0, length);
        }
        finally
        {
            lock (free)
            {
                free.Push(buffer);
            }
        }
    }

    private async Task CompleteAsync(string key, string uploadId, List<Task<PartETag>> parts)
    {
        PartETag[] etags = await Task.WhenAll(parts);
        await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket,
            Key = key,
            UploadId = uploadId,
            PartETags = [.. etags],
        });
    }

    private FileTransportDescriptor FileInput()
    {
        if (!File.Exists(_localCopy))
        {
            File.WriteAllBytes(_localCopy, _object);
        }

        return new FileTransportDescriptor { Path = _localCopy };
    }

    private async Task<EngineState> Run(TransportDescriptor output, IModel model, TransportDescriptor? input = null)
    {
        await using var engine = new ScoringEngine(_factory);
        engine.LoadModel(model);
        engine.Attach(0, new StreamDescriptor
        {
            Transport = input ?? Input(),
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

    private S3TransportDescriptor Output(string key) => Input() with { ObjectKey = key };

    /// <summary>The benchmark's record as a host would declare it.</summary>
    public sealed class BenchRecord
    {
        /// <summary>Gets or sets the record id.</summary>
        [JsonPropertyName("id")]
        public long Id { get; set; }

        /// <summary>Gets or sets the sepal length.</summary>
        [JsonPropertyName("sepal_length")]
        public float SepalLength { get; set; }

        /// <summary>Gets or sets the sepal width.</summary>
        [JsonPropertyName("sepal_width")]
        public float SepalWidth { get; set; }

        /// <summary>Gets or sets the petal length.</summary>
        [JsonPropertyName("petal_length")]
        public float PetalLength { get; set; }

        /// <summary>Gets or sets the petal width.</summary>
        [JsonPropertyName("petal_width")]
        public float PetalWidth { get; set; }

        /// <summary>Gets or sets the species.</summary>
        [JsonPropertyName("species")]
        public string? Species { get; set; }
    }

    private sealed class BytesIdentity : IModel<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>
    {
        public ValueTask ActionAsync(ReadOnlyMemory<byte> input, RecordContext context, IModelOutput<ReadOnlyMemory<byte>> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }

    private sealed class JsonElementIdentity : IModel<JsonElement, JsonElement>
    {
        public ValueTask ActionAsync(JsonElement input, RecordContext context, IModelOutput<JsonElement> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }

    private sealed class PocoIdentity : IModel<BenchRecord, BenchRecord>
    {
        public ValueTask ActionAsync(BenchRecord input, RecordContext context, IModelOutput<BenchRecord> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }
}
