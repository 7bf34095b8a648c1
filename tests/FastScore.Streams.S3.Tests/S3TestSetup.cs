using FastScore.Streams.S3.Tests.Infrastructure;

namespace FastScore.Streams.S3.Tests;

/// <summary>Stops the shared <see cref="S3TestServer"/> (if a test started it) after the last test of the run.</summary>
[SetUpFixture]
public sealed class S3TestSetup
{
    /// <summary>Disposes the shared server.</summary>
    [OneTimeTearDown]
    public void StopSharedServer() => S3TestServer.DisposeShared();
}
