using FastScore.Streams.Descriptors;
using FastScore.Streams.S3.Tests.Infrastructure;
using FastScore.Streams.S3.Tests.Support;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

/// <summary>Keys in the descriptor, empty keys (the AWS credential chain), secret:// references and AssumeRoleWithSAML.</summary>
[Category("Integration")]
public sealed class S3CredentialTests
{
    private string _bucket = null!;
    private string _secrets = null!;

    [OneTimeSetUp]
    public async Task CreateBucket()
    {
        _bucket = await Server.CreateBucketAsync();
        await PutAsync(_bucket, "in.jsons", "{\"n\":1}\n{\"n\":2}\n");
    }

    [SetUp]
    public void CreateSecretsFolder() => _secrets = Directory.CreateTempSubdirectory("fastscore-secrets-").FullName;

    [TearDown]
    public void DeleteSecretsFolder() => Directory.Delete(_secrets, recursive: true);

    [Test]
    public async Task Empty_keys_as_in_the_guide_use_the_AWS_credential_chain()
    {
        // S3TestSetup put s3rver's key into AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the chain's first link.
        var transport = Transport(_bucket, "in.jsons") with { AccessKeyId = "", SecretAccessKey = "" };

        Assert.That(await ReadLinesAsync(Factory(), Lines(transport)), Is.EqualTo(new[] { "{\"n\":1}", "{\"n\":2}" }));
    }

    [Test]
    public void Empty_keys_without_any_credentials_in_the_chain_fail_with_a_clear_error()
    {
        var transport = Transport(_bucket, "in.jsons") with { AccessKeyId = "", SecretAccessKey = "" };
        string[] names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"];
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        string none = Path.Combine(_secrets, "none");
        try
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
            Environment.SetEnvironmentVariable("AWS_PROFILE", null);
            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", none);
            Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", none);
            Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
            Environment.SetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", null);
            Environment.SetEnvironmentVariable("AWS_WEB_IDENTITY_TOKEN_FILE", null);

            var error = Assert.CatchAsync<StreamException>(() => ReadLinesAsync(Factory(), Lines(transport)));

            Assert.That(error!.Message, Does.Contain($"s3://{_bucket}/in.jsons").And.Contain("no AWS credentials were found"));
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Test]
    public async Task Secret_references_to_absolute_paths_are_read_when_the_stream_opens()
    {
        var transport = Transport(_bucket, "in.jsons") with
        {
            AccessKeyId = $"secret://{_secrets}/AccessKeyID",
            SecretAccessKey = $"secret://{_secrets}/SecretAccessKey",
        };
        await using InputStream input = Factory().CreateInput(Lines(transport)); // the files do not exist yet
        await File.WriteAllTextAsync(Path.Combine(_secrets, "AccessKeyID"), S3TestServer.AccessKey + "\n");
        await File.WriteAllTextAsync(Path.Combine(_secrets, "SecretAccessKey"), "any-secret\n");

        var lines = new List<string>();
        await foreach (string line in input.ReadAllAsync<string>())
        {
            lines.Add(line);
        }

        Assert.That(lines, Is.EqualTo(new[] { "{\"n\":1}", "{\"n\":2}" }));
    }

    [Test]
    public async Task Secret_names_are_read_from_SECRET_PATH_ROOT()
    {
        await File.WriteAllTextAsync(Path.Combine(_secrets, "AccessKeyID"), S3TestServer.AccessKey);
        await File.WriteAllTextAsync(Path.Combine(_secrets, "SecretAccessKey"), "any-secret");
        var transport = Transport(_bucket, "in.jsons") with { AccessKeyId = "secret://AccessKeyID", SecretAccessKey = "secret://SecretAccessKey" };
        string? before = Environment.GetEnvironmentVariable("SECRET_PATH_ROOT");
        Environment.SetEnvironmentVariable("SECRET_PATH_ROOT", _secrets);
        try
        {
            Assert.That(await ReadLinesAsync(Factory(), Lines(transport)), Has.Count.EqualTo(2));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SECRET_PATH_ROOT", before);
        }
    }

    [Test]
    public async Task A_custom_secret_resolver_is_used()
    {
        var asked = new List<string>();
        var settings = new S3TransportOptions
        {
            SecretResolver = reference =>
            {
                asked.Add(reference);
                return reference == "secret://vault/s3-key-id" ? S3TestServer.AccessKey : "any-secret";
            },
        };
        var transport = Transport(_bucket, "in.jsons") with { AccessKeyId = "secret://vault/s3-key-id", SecretAccessKey = "secret://vault/s3-secret" };

        List<string> lines = await ReadLinesAsync(Factory(settings), Lines(transport));

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(2));
            Assert.That(asked, Is.EquivalentTo(new[] { "secret://vault/s3-key-id", "secret://vault/s3-secret" }));
        });
    }

    [Test]
    public void A_missing_secret_file_fails_at_open_naming_the_reference()
    {
        var transport = Transport(_bucket, "in.jsons") with { AccessKeyId = $"secret://{_secrets}/nope", SecretAccessKey = "S3RVER" };

        var error = Assert.CatchAsync<StreamException>(() => ReadLinesAsync(Factory(), Lines(transport)));

        Assert.That(error!.Message, Does.Contain("Transport.AccessKeyID").And.Contain($"secret://{_secrets}/nope").And.Contain("not found"));
    }

    [Test]
    public void A_secret_key_without_an_access_key_id_is_a_descriptor_error()
    {
        var transport = Transport(_bucket, "in.jsons") with { AccessKeyId = "", SecretAccessKey = "only-the-secret" };

        var error = Assert.CatchAsync<DescriptorException>(() => ReadLinesAsync(Factory(), Lines(transport)));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Errors.Select(e => e.Path), Is.EqualTo(new[] { "Transport.AccessKeyID" }));
            Assert.That(error.ToString(), Does.Not.Contain("only-the-secret"));
        });
    }

    [Test]
    public void AssumeRoleWithSAML_in_the_guides_short_form_is_a_clear_descriptor_error()
    {
        var transport = Transport(_bucket, "in.jsons") with { AccessKeyId = "", SecretAccessKey = "", AssumeRoleWithSaml = "\"role\"" };

        var error = Assert.CatchAsync<DescriptorException>(() => ReadLinesAsync(Factory(), Lines(transport)));

        Assert.That(error!.Message, Does.Contain("AssumeRoleWithSAML").And.Contain("RoleArn").And.Contain("PrincipalArn").And.Contain("SAMLAssertion"));
    }

    [Test]
    public async Task AssumeRoleWithSAML_gets_session_credentials_from_STS()
    {
        using var sts = new FakeSts(S3TestServer.AccessKey, "session-secret");
        await File.WriteAllTextAsync(Path.Combine(_secrets, "saml"), "PHNhbWxwOlJlc3BvbnNlPg==\n");
        string saml = $$"""{"RoleArn": "arn:aws:iam::123456789012:role/scoring", "PrincipalArn": "arn:aws:iam::123456789012:saml-provider/corp", "SAMLAssertion": "secret://{{_secrets}}/saml"}""";
        var transport = Transport(_bucket, "in.jsons") with { AccessKeyId = "", SecretAccessKey = "", AssumeRoleWithSaml = saml };

        List<string> lines = await ReadLinesAsync(Factory(new S3TransportOptions { StsServiceUrl = sts.Url }), Lines(transport));

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(2));
            Assert.That(sts.Requests, Has.Count.EqualTo(1));
            Assert.That(sts.Requests.Single(), Does.Contain("Action=AssumeRoleWithSAML")
                .And.Contain("RoleArn=arn:aws:iam::123456789012:role/scoring")
                .And.Contain("SAMLAssertion=PHNhbWxwOlJlc3BvbnNlPg=="));
            Assert.That(transport.ToString(), Does.Not.Contain("secret://").And.Not.Contain("RoleArn"));
        });
    }
}
