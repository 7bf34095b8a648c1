using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FastScore.Streams.Descriptors;
using FastScore.Streams.S3.Tests.Infrastructure;
using FastScore.Streams.S3.Tests.Support;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

/// <summary>
/// How the transport builds its requests: what <c>IntegrityChecks</c> turns on (Content-MD5 on uploads, the stored
/// checksum on downloads) and what it leaves out when off (the SDK's MD5 of every downloaded body).
/// </summary>
[Category("Integration")]
public sealed class S3RequestShapeTests
{
    // Every stream gets its own client (built from its descriptor's config, as the transport does); all record into one queue.
    private static (StreamFactory Factory, ConcurrentQueue<AmazonWebServiceRequest> Requests) RecordingFactory()
    {
        var requests = new ConcurrentQueue<AmazonWebServiceRequest>();
        var settings = new S3TransportOptions
        {
            PartSize = S3TransportOptions.MinimumPartSize,
            ClientFactory = d => new RecordingS3Client(new BasicAWSCredentials(S3TestServer.AccessKey, S3TestServer.AccessKey), S3Connection.CreateConfig(d), requests),
        };
        return (Factory(settings), requests);
    }

    [Test]
    public async Task Without_integrity_checks_an_object_is_read_with_an_open_range_from_byte_0()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "in.txt", "a\nb\nc\n");
        (StreamFactory factory, ConcurrentQueue<AmazonWebServiceRequest> requests) = RecordingFactory();

        List<string> lines = await ReadLinesAsync(factory, Lines(Transport(bucket, "in.txt")));

        GetObjectRequest get = requests.OfType<GetObjectRequest>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(get.ByteRange?.FormattedByteRange, Is.EqualTo("bytes=0-"), "a ranged GET: the SDK does not hash the body against the ETag");
            Assert.That(get.ChecksumMode, Is.Null);
        });
    }

    [Test]
    public async Task With_integrity_checks_the_whole_object_is_read_with_its_stored_checksum()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "in.txt", "a\nb\nc\n");
        (StreamFactory factory, ConcurrentQueue<AmazonWebServiceRequest> requests) = RecordingFactory();

        List<string> lines = await ReadLinesAsync(factory, Lines(Transport(bucket, "in.txt") with { IntegrityChecks = true }));

        GetObjectRequest get = requests.OfType<GetObjectRequest>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(get.ByteRange, Is.Null, "a whole-object GET: the SDK checks the body against the ETag or stored checksum");
            Assert.That(get.ChecksumMode, Is.EqualTo(ChecksumMode.ENABLED));
        });
    }

    [Test]
    public async Task An_empty_object_read_with_an_open_range_is_an_empty_input()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "empty.txt", "");
        (StreamFactory factory, _) = RecordingFactory();

        Assert.That(await ReadLinesAsync(factory, Lines(Transport(bucket, "empty.txt"))), Is.Empty);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Parts_carry_Content_MD5_exactly_when_integrity_checks_are_on(bool integrityChecks)
    {
        string bucket = await Server.CreateBucketAsync();
        (StreamFactory factory, ConcurrentQueue<AmazonWebServiceRequest> requests) = RecordingFactory();
        string line = new('x', 1023);
        string[] big = Enumerable.Repeat(line, 6 * 1024).ToArray(); // 6 MiB: a 5 MiB part and a last part of 1 MiB

        await WriteLinesAsync(factory, Lines(Transport(bucket, "big.txt") with { IntegrityChecks = integrityChecks }), big);
        await WriteLinesAsync(factory, Lines(Transport(bucket, "small.txt") with { IntegrityChecks = integrityChecks }), ["one"]);

        AmazonWebServiceRequest[] sent = [.. requests];
        UploadPartRequest[] parts = sent.OfType<UploadPartRequest>().ToArray();
        Assert.Multiple(async () =>
        {
            Assert.That(parts.Select(p => (p.Key, p.PartNumber)), Is.EqualTo(new[] { ("big.txt", 1), ("big.txt", 2), ("small.txt", 1) }));
            Assert.That(sent.OfType<PutObjectRequest>(), Is.Empty, "a small output is the single part of its upload");
            Assert.That(parts.Select(p => p.MD5Digest is not null), Is.All.EqualTo(integrityChecks));
            Assert.That(parts.Select(p => p.UseChunkEncoding), Is.All.False);
            Assert.That((await HashAsync(bucket, "big.txt")).Bytes, Is.EqualTo(6L * 1024 * 1024));
            Assert.That(await GetTextAsync(bucket, "small.txt"), Is.EqualTo("one\n"));
        });
    }

    [Test]
    public void An_endpoint_gets_checksums_only_where_required_and_response_checks_with_integrity_checks()
    {
        var plain = new S3TransportDescriptor { Bucket = "bkt", ObjectKey = "k", Endpoint = "http://127.0.0.1:1" };
        AmazonS3Config off = S3Connection.CreateConfig(plain);
        AmazonS3Config on = S3Connection.CreateConfig(plain with { IntegrityChecks = true });
        Assert.Multiple(() =>
        {
            Assert.That(off.RequestChecksumCalculation, Is.EqualTo(RequestChecksumCalculation.WHEN_REQUIRED));
            Assert.That(off.ResponseChecksumValidation, Is.EqualTo(ResponseChecksumValidation.WHEN_REQUIRED));
            Assert.That(on.RequestChecksumCalculation, Is.EqualTo(RequestChecksumCalculation.WHEN_REQUIRED));
            Assert.That(on.ResponseChecksumValidation, Is.EqualTo(ResponseChecksumValidation.WHEN_SUPPORTED));
            Assert.That(off.ForcePathStyle, Is.True);
        });
    }
}
