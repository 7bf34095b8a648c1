using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.S3.Tests.Infrastructure;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

[Category("Integration")]
public sealed class S3InputTests
{
    [Test]
    public async Task An_object_is_read_as_records_through_the_envelope()
    {
        string bucket = await Server.CreateBucketAsync();
        string[] records = Enumerable.Range(1, 5000).Select(i => $"{{\"id\":{i},\"text\":\"déjà vu {i}\"}}").ToArray();
        await PutAsync(bucket, "in/records.jsons", string.Join('\n', records) + "\n");

        List<string> read = await ReadLinesAsync(Factory(), Lines(Transport(bucket, "in/records.jsons")));

        Assert.That(read, Is.EqualTo(records));
    }

    [Test]
    public async Task SkipTo_starts_at_a_byte_offset_with_a_ranged_get()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "data.txt", "aaa\nbbb\nccc\nddd\n");

        List<string> fromFourth = await ReadLinesAsync(Factory(), Lines(Transport(bucket, "data.txt")) with { SkipTo = 8 });
        List<string> pastTheEnd = await ReadLinesAsync(Factory(), Lines(Transport(bucket, "data.txt")) with { SkipTo = 100 });

        Assert.Multiple(() =>
        {
            Assert.That(fromFourth, Is.EqualTo(new[] { "ccc", "ddd" }));
            Assert.That(pastTheEnd, Is.Empty);
        });
    }

    [Test]
    public async Task Loop_reads_the_object_again_from_the_start()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "loop.txt", "a\nb\nc\n");

        List<string> read = await ReadLinesAsync(Factory(), Lines(Transport(bucket, "loop.txt")) with { Loop = true, SkipTo = 2 }, limit: 8);

        Assert.That(read, Is.EqualTo(new[] { "b", "c", "a", "b", "c", "a", "b", "c" }));
    }

    [Test]
    public async Task An_empty_object_is_an_empty_input()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "empty.txt", "");

        Assert.That(await ReadLinesAsync(Factory(), Lines(Transport(bucket, "empty.txt"))), Is.Empty);
    }

    [Test]
    public async Task A_key_ending_in_a_slash_reads_every_object_under_the_prefix_in_key_order()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "day/", "");                      // a console's "folder" marker: no data
        await PutAsync(bucket, "day/part-0002.jsons", "{\"n\":3}\n{\"n\":4}\n");
        await PutAsync(bucket, "day/part-0001.jsons", "{\"n\":1}\n{\"n\":2}\n");
        await PutAsync(bucket, "day/part-0010.jsons", "{\"n\":5}\n");
        await PutAsync(bucket, "day-before/part-0000.jsons", "{\"n\":0}\n"); // same prefix without the slash: not included
        await PutAsync(bucket, "other/part-0000.jsons", "{\"n\":-1}\n");

        List<string> read = await ReadLinesAsync(Factory(), Lines(Transport(bucket, "day/")));
        List<string> skipped = await ReadLinesAsync(Factory(), Lines(Transport(bucket, "day/")) with { SkipTo = 16 }); // past the first object

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(new[] { "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}" }));
            Assert.That(skipped, Is.EqualTo(new[] { "{\"n\":3}", "{\"n\":4}", "{\"n\":5}" }));
        });
    }

    [Test]
    public async Task A_prefix_with_more_objects_than_one_listing_page_is_read_whole()
    {
        string bucket = await Server.CreateBucketAsync();
        for (int i = 0; i < 1100; i++)
        {
            await PutAsync(bucket, $"many/{i:D5}.txt", $"{i}\n");
        }

        List<string> read = await ReadLinesAsync(Factory(), Lines(Transport(bucket, "many/")));

        Assert.That(read, Is.EqualTo(Enumerable.Range(0, 1100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Test]
    public async Task A_missing_key_fails_with_a_clear_error()
    {
        string bucket = await Server.CreateBucketAsync();

        var error = Assert.CatchAsync<StreamException>(() => ReadLinesAsync(Factory(), Lines(Transport(bucket, "no/such.jsons"))));

        Assert.That(error!.Message, Does.Contain($"s3://{bucket}/no/such.jsons").And.Contain("the object does not exist").And.Contain("NoSuchKey"));
    }

    [Test]
    public void A_missing_bucket_fails_with_a_clear_error()
    {
        string bucket = S3TestServer.UniqueBucketName("missing");

        var error = Assert.CatchAsync<StreamException>(() => ReadLinesAsync(Factory(), Lines(Transport(bucket, "in.jsons"))));
        var prefix = Assert.CatchAsync<StreamException>(() => ReadLinesAsync(Factory(), Lines(Transport(bucket, "in/"))));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("the bucket does not exist").And.Contain("NoSuchBucket"));
            Assert.That(prefix!.Message, Does.Contain("the bucket does not exist").And.Contain("NoSuchBucket"));
        });
    }

    [Test]
    public async Task A_wrong_access_key_fails_with_InvalidAccessKeyId_and_no_key_in_the_error()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "in.jsons", "{}\n");
        var transport = Transport(bucket, "in.jsons") with { AccessKeyId = "AKIAWRONGKEY0EXAMPLE", SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY" };

        var error = Assert.CatchAsync<StreamException>(() => ReadLinesAsync(Factory(), Lines(transport)));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("InvalidAccessKeyId").And.Contain("access key id"));
            Assert.That(error.ToString(), Does.Not.Contain("AKIAWRONGKEY0EXAMPLE").And.Not.Contain("SECRETKEY"));
        });
    }

    [Test]
    public void The_display_name_and_the_descriptor_text_never_show_keys()
    {
        var transport = Transport("bucket-name", "path/to/key.jsons") with { AccessKeyId = "AKIAEXAMPLEKEYID", SecretAccessKey = "topsecretvalue" };
        var descriptor = Lines(transport);
        var factory = Factory();

        string display = factory.CreateInput(descriptor).TransportDisplayName;

        Assert.Multiple(() =>
        {
            Assert.That(display, Is.EqualTo("s3://bucket-name/path/to/key.jsons"));
            Assert.That(descriptor.ToString(), Does.Not.Contain("AKIAEXAMPLEKEYID").And.Not.Contain("topsecretvalue").And.Contain("*****"));
            Assert.That((transport with { SecretAccessKey = "secret://s3-secret" }).ToString(), Does.Contain("secret://s3-secret"));
        });
    }

    [Test]
    public async Task Integrity_checks_read_and_write_with_Content_MD5()
    {
        string bucket = await Server.CreateBucketAsync();
        var transport = Transport(bucket, "checked.txt") with { IntegrityChecks = true };
        string[] lines = Enumerable.Range(0, 1000).Select(i => $"line {i}").ToArray();

        await WriteLinesAsync(Factory(), Lines(transport), lines);
        List<string> read = await ReadLinesAsync(Factory(), Lines(transport));

        Assert.That(read, Is.EqualTo(lines));
    }

    [Test]
    public async Task Records_split_across_read_buffers_are_framed_whole()
    {
        string bucket = await Server.CreateBucketAsync();
        var sb = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            sb.Append(new string((char)('a' + (i % 26)), 1000 + (i * 37 % 9000))).Append('\n');
        }

        await PutAsync(bucket, "long.txt", sb.ToString());

        List<string> read = await ReadLinesAsync(Factory(new S3TransportOptions { ReadBufferSize = 4096 }), Lines(Transport(bucket, "long.txt")));

        Assert.That(string.Join('\n', read) + "\n", Is.EqualTo(sb.ToString()));
    }
}
