using FastScore.Streams.S3.Tests.Infrastructure;

namespace FastScore.Streams.S3.Tests;

/// <summary>
/// Run-wide setup: the AWS credential chain of this process gets s3rver's key (for descriptors whose keys are empty,
/// as in the FastScore guide), and the shared <see cref="S3TestServer"/> (if a test started it) stops after the last test.
/// </summary>
[SetUpFixture]
public sealed class S3TestSetup
{
    /// <summary>Sets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the first link of the SDK's default credential chain.</summary>
    [OneTimeSetUp]
    public void SetCredentialChain()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Environment.GetEnvironmentVariable("S3_ACCESS_KEY") is { Length: > 0 } a ? a : S3TestServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Environment.GetEnvironmentVariable("S3_SECRET_KEY") is { Length: > 0 } s ? s : S3TestServer.AccessKey);
    }

    /// <summary>Disposes the shared server.</summary>
    [OneTimeTearDown]
    public void StopSharedServer() => S3TestServer.DisposeShared();
}
