using FastScore.Streams.Descriptors;
using FastScore.Streams.Tests.Common;

namespace FastScore.Streams.S3.Tests.Descriptors;

/// <summary>The descriptor of the s3 transport: its fields and defaults, and at least one bad case each (read with only this package registered).</summary>
public sealed class S3DescriptorTests() : PackageDescriptorTests(options => options.AddS3())
{
    [Test]
    public void S3_reads_every_field()
    {
        var s3 = (S3TransportDescriptor)Transport("""
            {"Type": "S3", "Bucket": "my-bucket", "ObjectKey": "in/data.jsons", "Region": "eu-west-1", "IntegrityChecks": true,
             "AccessKeyID": "AKIA1", "SecretAccessKey": "s3cr3t", "Endpoint": "http://localhost:4568",
             "AssumeRoleWithSAML": {"RoleArn": "arn:aws:iam::1:role/r", "SAMLAssertion": "PHNhbWw+"}}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(s3.Bucket, Is.EqualTo("my-bucket"));
            Assert.That(s3.ObjectKey, Is.EqualTo("in/data.jsons"));
            Assert.That(s3.Region, Is.EqualTo("eu-west-1"));
            Assert.That(s3.IntegrityChecks, Is.True);
            Assert.That(s3.AccessKeyId, Is.EqualTo("AKIA1"));
            Assert.That(s3.SecretAccessKey, Is.EqualTo("s3cr3t"));
            Assert.That(s3.Endpoint, Is.EqualTo("http://localhost:4568"));
            Assert.That(s3.AssumeRoleWithSaml, Is.EqualTo("""{"RoleArn":"arn:aws:iam::1:role/r","SAMLAssertion":"PHNhbWw+"}"""));
        });
    }

    [Test]
    public void S3_defaults()
    {
        var s3 = (S3TransportDescriptor)Transport("""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "k"}""");
        Assert.Multiple(() =>
        {
            Assert.That(s3.Region, Is.EqualTo("us-east-1"));
            Assert.That(s3.IntegrityChecks, Is.False);
            Assert.That(s3.AccessKeyId, Is.Null);
            Assert.That(s3.SecretAccessKey, Is.Null);
            Assert.That(s3.Endpoint, Is.Null);
            Assert.That(s3.AssumeRoleWithSaml, Is.Null);
        });
    }

    [Test]
    public void S3_access_key_id_spelling_is_case_insensitive() =>
        Assert.That(((S3TransportDescriptor)Transport("""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyId": "a", "SecretAccessKey": "b"}""")).AccessKeyId, Is.EqualTo("a"));

    [TestCase("ab")]
    [TestCase("a234567890123456789012345678901234567890123456789012345678901234")]
    public void S3_bucket_must_have_3_to_63_characters(string bucket) =>
        TransportFails($$"""{"Type": "s3", "Bucket": "{{bucket}}", "ObjectKey": "k"}""", "Transport.Bucket", "3 to 63 characters");

    [Test]
    public void S3_object_key_must_not_exceed_1024_bytes() =>
        TransportFails($$"""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "{{new string('k', 1025)}}"}""", "Transport.ObjectKey", "1 to 1024 bytes", "found 1025 bytes");

    [Test]
    public void S3_bucket_and_key_are_required()
    {
        IReadOnlyList<DescriptorError> errors = Errors("""{"Transport": {"Type": "s3"}}""");
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[] { "Transport.Bucket", "Transport.ObjectKey" }));
    }

    [Test]
    public void S3_region_must_not_be_empty() =>
        TransportFails("""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "Region": ""}""", "Transport.Region", "non-empty string", "found \"\"");

    [Test]
    public void S3_integrity_checks_must_be_boolean() =>
        TransportFails("""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "IntegrityChecks": 1}""", "Transport.IntegrityChecks", "expected true or false", "found 1");

    [Test]
    public void S3_keys_come_in_pairs() =>
        TransportFails("""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "a"}""", "Transport.SecretAccessKey", "both AccessKeyID and SecretAccessKey, or neither");

    [Test]
    public void S3_endpoint_must_be_a_url() =>
        TransportFails("""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "Endpoint": "localhost:4568"}""", "Transport.Endpoint", "absolute http or https URL");

    [Test]
    public void S3_assume_role_must_be_an_object_or_a_string() =>
        TransportFails("""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AssumeRoleWithSAML": 3}""", "Transport.AssumeRoleWithSAML", "found 3");
}
