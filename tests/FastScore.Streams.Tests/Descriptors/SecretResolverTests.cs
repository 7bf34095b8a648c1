using FastScore.Streams.Descriptors;
using FastScore.Streams.S3;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>secret://name values resolve at open time from a secret folder.</summary>
public sealed class SecretResolverTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), $"fs-secrets-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public void A_plain_value_is_returned_unchanged() =>
        Assert.That(SecretResolver.Resolve("AKIA123", _root), Is.EqualTo("AKIA123"));

    [Test]
    public void Null_stays_null() => Assert.That(SecretResolver.Resolve(null, _root), Is.Null);

    [TestCase("key\n", "key")]
    [TestCase("key\r\n", "key")]
    [TestCase("key", "key")]
    [TestCase("key\n\n", "key\n")]
    public void A_secret_is_read_from_the_root_with_one_trailing_newline_removed(string content, string expected)
    {
        File.WriteAllText(Path.Combine(_root, "AccessKeyID"), content);
        Assert.That(SecretResolver.Resolve("secret://AccessKeyID", _root), Is.EqualTo(expected));
    }

    [Test]
    public void An_absolute_secret_path_is_read_directly()
    {
        string path = Path.Combine(_root, "abs");
        File.WriteAllText(path, "v\n");
        Assert.That(SecretResolver.Resolve("secret://" + path, "/nonexistent"), Is.EqualTo("v"));
    }

    [Test]
    public void A_missing_secret_names_the_secret_not_its_value()
    {
        var ex = Assert.Throws<StreamException>(() => SecretResolver.Resolve("secret://NoSuchKey", _root));
        Assert.That(ex!.Message, Does.Contain("Secret 'NoSuchKey' not found").And.Contain(_root));
    }

    [TestCase("secret://../etc/passwd")]
    [TestCase("secret://")]
    public void A_name_that_escapes_the_root_is_refused(string value) =>
        Assert.That(() => SecretResolver.Resolve(value, _root), Throws.InstanceOf<StreamException>().With.Message.Contains("is not valid"));

    [Test]
    public void The_environment_root_is_used_by_default()
    {
        File.WriteAllText(Path.Combine(_root, "k"), "from-env");
        string? previous = Environment.GetEnvironmentVariable(SecretResolver.SecretRootVariable);
        Environment.SetEnvironmentVariable(SecretResolver.SecretRootVariable, _root);
        try
        {
            Assert.That(SecretResolver.Resolve("secret://k"), Is.EqualTo("from-env"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SecretResolver.SecretRootVariable, previous);
        }
    }

    [TestCase("secret://x", true)]
    [TestCase("secret:x", false)]
    [TestCase(null, false)]
    public void Secret_references_are_recognised(string? value, bool expected) =>
        Assert.That(SecretResolver.IsSecretReference(value), Is.EqualTo(expected));

    [Test]
    public void Parsing_and_printing_never_read_a_secret()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "secret://missing-id", "SecretAccessKey": "secret://missing-key"}}""");
        Assert.Multiple(() =>
        {
            Assert.That(((S3TransportDescriptor)d.Transport).AccessKeyId, Is.EqualTo("secret://missing-id"));
            Assert.That(d.ToDisplayJson(), Does.Contain("secret://missing-id"));
        });
    }
}
