using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using FastScore.Streams.Descriptors;
using FastScore.Streams.S3.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>Shared helpers: descriptors pointing at the test server, factories, and object upload/download.</summary>
internal static class S3Tests
{
    public static S3TestServer Server => S3TestServer.Shared;

    public static IAmazonS3 Client => Server.Client;

    /// <summary>An s3 transport whose only connection settings are the descriptor's: Endpoint and keys (no injected client).</summary>
    public static S3TransportDescriptor Transport(string bucket, string key, string? endpoint = null) => new()
    {
        Bucket = bucket,
        ObjectKey = key,
        Endpoint = endpoint ?? Server.ServiceUrl,
        AccessKeyId = S3TestServer.AccessKey,
        SecretAccessKey = S3TestServer.AccessKey,
    };

    public static StreamDescriptor Lines(S3TransportDescriptor transport) =>
        new() { Transport = transport, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = null, LingerTime = null };

    public static StreamFactory Factory(S3TransportOptions? settings = null, ILoggerFactory? loggerFactory = null)
    {
        var options = new StreamFactoryOptions().WithTestEncodings();
        options.AddS3(settings ?? new S3TransportOptions());
        return new StreamFactory(options, null, loggerFactory);
    }

    public static async Task PutAsync(string bucket, string key, byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = stream });
    }

    public static Task PutAsync(string bucket, string key, string body) => PutAsync(bucket, key, Encoding.UTF8.GetBytes(body));

    public static async Task<byte[]> GetAsync(string bucket, string key)
    {
        using GetObjectResponse response = await Client.GetObjectAsync(bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static async Task<string> GetTextAsync(string bucket, string key) => Encoding.UTF8.GetString(await GetAsync(bucket, key));

    public static async Task<bool> ExistsAsync(string bucket, string key)
    {
        try
        {
            using GetObjectResponse response = await Client.GetObjectAsync(bucket, key);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Streams an object through SHA-256 without holding it: (hex hash, size, newline count).</summary>
    public static async Task<(string Sha256, long Bytes, long Lines)> HashAsync(string bucket, string key)
    {
        using GetObjectResponse response = await Client.GetObjectAsync(bucket, key);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[256 * 1024];
        long bytes = 0, lines = 0;
        int n;
        while ((n = await response.ResponseStream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            bytes += n;
            lines += buffer.AsSpan(0, n).Count((byte)'\n');
        }

        return (Convert.ToHexString(hash.GetHashAndReset()), bytes, lines);
    }

    /// <summary>
    /// Uploads generated NDJSON of about <paramref name="totalBytes"/> with a multipart upload of 8 MiB parts, generated
    /// part by part (never held whole). Returns the hash, size and record count.
    /// </summary>
    public static async Task<(string Sha256, long Bytes, long Records)> UploadGeneratedNdjsonAsync(string bucket, string key, long totalBytes)
    {
        const int PartSize = 8 * 1024 * 1024;
        InitiateMultipartUploadResponse upload = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var etags = new List<PartETag>();
        var part = new byte[PartSize + 1024];
        long written = 0, records = 0;
        int partNumber = 0;
        while (written < totalBytes)
        {
            int used = 0;
            while (used < PartSize && written + used < totalBytes)
            {
                records++;
                used += Encoding.UTF8.GetBytes(
                    $"{{\"id\":{records},\"sepal_length\":{5 + records % 30 / 10.0:0.0},\"sepal_width\":3.1,\"petal_length\":{1 + records % 50 / 10.0:0.0},\"petal_width\":0.2,\"note\":\"row {records:D10}\"}}\n",
                    part.AsSpan(used));
            }

            hash.AppendData(part, 0, used);
            using var body = new MemoryStream(part, 0, used, writable: false);
            UploadPartResponse response = await Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartNumber = ++partNumber,
                InputStream = body,
            });
            etags.Add(new PartETag(partNumber, response.ETag));
            written += used;
        }

        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = etags });
        return (Convert.ToHexString(hash.GetHashAndReset()), written, records);
    }

    public static async Task<List<string>> ReadLinesAsync(StreamFactory factory, StreamDescriptor descriptor, int? limit = null)
    {
        await using InputStream input = factory.CreateInput(descriptor);
        var lines = new List<string>();
        await foreach (string line in input.ReadAllAsync<string>())
        {
            lines.Add(line);
            if (lines.Count == limit)
            {
                break;
            }
        }

        return lines;
    }

    public static async Task WriteLinesAsync(StreamFactory factory, StreamDescriptor descriptor, IEnumerable<string> lines)
    {
        await using OutputStream output = factory.CreateOutput(descriptor);
        foreach (string line in lines)
        {
            await output.WriteAsync(line);
        }

        await output.CompleteAsync();
    }
}
