using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace FastScore.Streams.S3.Tests.Infrastructure;

[Category("Integration")]
public sealed class S3TestServerTests
{
    [Test]
    public async Task A_small_object_comes_back_byte_identical()
    {
        var server = S3TestServer.Shared;
        var bucket = await server.CreateBucketAsync();
        var body = Encoding.UTF8.GetBytes("""{"sepal_length":6.9,"species":"virginica","note":"déjà vu ✓"}""" + "\n")
            .Concat(Enumerable.Range(0, 256).Select(i => (byte)i))
            .ToArray();

        await Put(server.Client, bucket, "records/small.bin", body);
        var back = await Get(server.Client, new GetObjectRequest { BucketName = bucket, Key = "records/small.bin" });

        Assert.That(back, Is.EqualTo(body));
    }

    [Test]
    public async Task A_12_MB_multipart_upload_in_three_parts_comes_back_identical()
    {
        var server = S3TestServer.Shared;
        var bucket = await server.CreateBucketAsync();
        const string Key = "big/upload.ndjson";
        var body = new byte[12 * 1024 * 1024];
        new Random(42).NextBytes(body);
        int[] partSizes = [5 * 1024 * 1024, 5 * 1024 * 1024, 2 * 1024 * 1024]; // every part but the last >= 5 MiB, as S3 requires

        var upload = await server.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = Key });
        var etags = new List<PartETag>();
        var offset = 0;
        for (int part = 1; part <= partSizes.Length; part++)
        {
            using var stream = new MemoryStream(body, offset, partSizes[part - 1], writable: false);
            var response = await server.Client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = Key,
                UploadId = upload.UploadId,
                PartNumber = part,
                InputStream = stream,
            });
            etags.Add(new PartETag(part, response.ETag));
            offset += partSizes[part - 1];
        }

        await server.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = Key,
            UploadId = upload.UploadId,
            PartETags = etags,
        });
        var metadata = await server.Client.GetObjectMetadataAsync(bucket, Key);
        var back = await Get(server.Client, new GetObjectRequest { BucketName = bucket, Key = Key });

        Assert.Multiple(() =>
        {
            Assert.That(metadata.ContentLength, Is.EqualTo(body.Length));
            Assert.That(Convert.ToHexString(SHA256.HashData(back)), Is.EqualTo(Convert.ToHexString(SHA256.HashData(body))));
        });
    }

    [Test]
    public async Task A_ranged_get_returns_exactly_the_requested_bytes()
    {
        var server = S3TestServer.Shared;
        var bucket = await server.CreateBucketAsync();
        var body = Enumerable.Range(0, 1000).Select(i => (byte)(i % 251)).ToArray();
        await Put(server.Client, bucket, "ranged.bin", body);

        using var middle = await server.Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "ranged.bin", ByteRange = new ByteRange(100, 199) });
        var middleBytes = await ReadAll(middle);
        // s3rver 3.7.1 answers a suffix range ("bytes=-10") with bytes 0-10, so ask for the last bytes explicitly.
        var tail = await Get(server.Client, new GetObjectRequest { BucketName = bucket, Key = "ranged.bin", ByteRange = new ByteRange(990, 999) });

        Assert.Multiple(() =>
        {
            Assert.That(middleBytes, Is.EqualTo(body[100..200]));
            Assert.That(middle.ContentRange, Is.EqualTo("bytes 100-199/1000"));
            Assert.That(tail, Is.EqualTo(body[^10..]));
        });
    }

    [Test]
    public async Task A_missing_key_throws_NoSuchKey()
    {
        var server = S3TestServer.Shared;
        var bucket = await server.CreateBucketAsync();

        var error = Assert.CatchAsync<AmazonS3Exception>(() => server.Client.GetObjectAsync(bucket, "no/such/key.json"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo("NoSuchKey"));
            Assert.That(error.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task A_listing_longer_than_one_page_is_paginated()
    {
        var server = S3TestServer.Shared;
        var bucket = await server.CreateBucketAsync();
        var keys = Enumerable.Range(0, 60).Select(i => $"part-{i:D3}.json").ToList();
        foreach (var key in keys)
        {
            await Put(server.Client, bucket, key, "{}"u8.ToArray());
        }

        var listed = new List<string>();
        var pages = 0;
        var request = new ListObjectsV2Request { BucketName = bucket, MaxKeys = 25 };
        ListObjectsV2Response page;
        do
        {
            page = await server.Client.ListObjectsV2Async(request);
            listed.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
            pages++;
        }
        while (page.IsTruncated == true);

        Assert.Multiple(() =>
        {
            Assert.That(listed, Is.EqualTo(keys));
            Assert.That(pages, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task CopyObject_works_through_the_local_client()
    {
        var server = S3TestServer.Shared;
        var bucket = await server.CreateBucketAsync();
        var body = "a,b\n1,2\n"u8.ToArray();
        await Put(server.Client, bucket, "in/data.csv", body);

        await server.Client.CopyObjectAsync(bucket, "in/data.csv", bucket, "out/copy.csv");

        Assert.That(await Get(server.Client, new GetObjectRequest { BucketName = bucket, Key = "out/copy.csv" }), Is.EqualTo(body));
    }

    [Test]
    public async Task A_plain_AmazonS3Client_corrupts_uploads_to_s3rver_which_is_why_LocalS3Client_exists()
    {
        // Always a private s3rver (even with S3_SERVICE_URL set): this pins down the emulator's behaviour.
        using var server = S3TestServer.Start();
        var bucket = await server.CreateBucketAsync();
        var body = Encoding.UTF8.GetBytes("""{"id":1}""");
        using var plain = new AmazonS3Client(new BasicAWSCredentials(S3TestServer.AccessKey, S3TestServer.AccessKey), S3TestServer.ClientConfig(server.ServiceUrl));

        await Put(plain, bucket, "plain.json", body);
        await Put(server.Client, bucket, "local.json", body);

        var viaPlain = await Get(server.Client, new GetObjectRequest { BucketName = bucket, Key = "plain.json" });
        var viaLocal = await Get(server.Client, new GetObjectRequest { BucketName = bucket, Key = "local.json" });

        Assert.Multiple(() =>
        {
            Assert.That(viaPlain, Has.Length.GreaterThan(body.Length), "aws-chunked framing stored verbatim");
            Assert.That(Encoding.ASCII.GetString(viaPlain), Does.Contain("chunk-signature="));
            Assert.That(viaLocal, Is.EqualTo(body));
        });
    }

    private static async Task Put(IAmazonS3 client, string bucket, string key, byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = stream });
    }

    private static async Task<byte[]> Get(IAmazonS3 client, GetObjectRequest request)
    {
        using var response = await client.GetObjectAsync(request);
        return await ReadAll(response);
    }

    private static async Task<byte[]> ReadAll(GetObjectResponse response)
    {
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
