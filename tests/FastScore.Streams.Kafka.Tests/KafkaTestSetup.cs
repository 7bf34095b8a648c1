using FastScore.Streams.Kafka.Tests.Infrastructure;

namespace FastScore.Streams.Kafka.Tests;

/// <summary>Stops the shared <see cref="KafkaTestCluster"/> (if a test started it) after the last test of the run.</summary>
[SetUpFixture]
public sealed class KafkaTestSetup
{
    /// <summary>Disposes the shared cluster.</summary>
    [OneTimeTearDown]
    public void StopSharedCluster() => KafkaTestCluster.DisposeShared();
}
