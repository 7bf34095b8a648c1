using Confluent.Kafka;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka.Tests.Infrastructure;

namespace FastScore.Streams.Kafka.Tests.Transport;

[Category("Integration")]
public sealed class KafkaOutputTests
{
    [Test]
    public async Task Records_are_delivered_in_order_to_the_descriptor_partition_once_FlushAsync_returns()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("out-order", partitions: 3);

        await using OutputStream output = KafkaStreams.RawFactory().CreateOutput(KafkaStreams.Output(KafkaStreams.Transport(cluster, topic, partition: 2)));
        for (int i = 0; i < 5000; i++)
        {
            Assert.That(await output.WriteAsync($"r{i}"), Is.True);
        }

        await output.FlushAsync();
        var read = KafkaStreams.ReadAll(cluster, topic, partitions: 3, expected: 5000);
        await output.CompleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(read.Select(r => r.Message.Value), Is.EqualTo(Enumerable.Range(0, 5000).Select(i => $"r{i}")));
            Assert.That(read.Select(r => r.Partition.Value), Is.All.EqualTo(2));
            Assert.That(read.Select(r => r.Message.Key), Is.All.Null);
            Assert.That(output.Counters.Records, Is.EqualTo(5000));
            Assert.That(output.IsCompleted, Is.True);
        });
    }

    [Test]
    public async Task A_failed_delivery_makes_FlushAsync_throw_a_transient_StreamException_naming_the_error()
    {
        using var cluster = KafkaTestCluster.StartMock();
        string topic = cluster.CreateUniqueTopic("out-fail", partitions: 1);
        var transport = KafkaStreams.Transport(cluster, topic);
        transport = transport with { Config = new Dictionary<string, string>(transport.Config) { ["message.timeout.ms"] = "1500" } };
        await using OutputStream output = KafkaStreams.RawFactory().CreateOutput(KafkaStreams.Output(transport));
        await output.WriteAsync("before");
        await output.FlushAsync();

        cluster.BrokerDown(1);
        await output.WriteAsync("lost while the broker is down");
        var error = Assert.CatchAsync<StreamException>(async () => await output.FlushAsync().AsTask().WaitAsync(KafkaStreams.Guard));
        cluster.BrokerUp(1);

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("could not be delivered").And.Contain("Local_MsgTimedOut").And.Contain(topic));
            Assert.That(error.IsTransient, Is.True);
            Assert.That(((KafkaException)error.InnerException!).Error.Code, Is.EqualTo(ErrorCode.Local_MsgTimedOut));
            // the output stays failed: a later flush reports it again instead of pretending all is well
            Assert.CatchAsync<StreamException>(async () => await output.FlushAsync());
        });
    }

    [Test]
    public async Task Records_not_acknowledged_within_LingerTime_make_CompleteAsync_throw()
    {
        using var cluster = KafkaTestCluster.StartMock();
        string topic = cluster.CreateUniqueTopic("out-linger", partitions: 1);
        StreamDescriptor descriptor = KafkaStreams.Output(KafkaStreams.Transport(cluster, topic)) with { LingerTime = 500 };
        await using OutputStream output = KafkaStreams.RawFactory().CreateOutput(descriptor);
        await output.WriteAsync("warm-up");
        await output.FlushAsync();

        cluster.BrokerDown(1);
        await output.WriteAsync("pending");
        var error = Assert.CatchAsync<StreamException>(async () => await output.CompleteAsync().AsTask().WaitAsync(KafkaStreams.Guard));
        cluster.BrokerUp(1);

        Assert.That(error!.Message, Does.Contain("1 records").And.Contain("LingerTime (500 ms)"));
    }

    [Test]
    public async Task Records_written_while_the_broker_is_briefly_down_are_delivered_once_it_is_back()
    {
        using var cluster = KafkaTestCluster.StartMock();
        string topic = cluster.CreateUniqueTopic("out-outage", partitions: 1);
        await using OutputStream output = KafkaStreams.RawFactory().CreateOutput(KafkaStreams.Output(KafkaStreams.Transport(cluster, topic)));
        for (int i = 0; i < 100; i++)
        {
            await output.WriteAsync($"a{i}");
        }

        await output.FlushAsync();
        cluster.BrokerDown(1);
        for (int i = 0; i < 100; i++)
        {
            await output.WriteAsync($"b{i}");
        }

        Task flush = output.FlushAsync().AsTask();
        await Task.Delay(500);
        bool flushedWhileDown = flush.IsCompleted;
        cluster.BrokerUp(1);
        await flush.WaitAsync(KafkaStreams.Guard);
        await output.CompleteAsync();
        var read = KafkaStreams.ReadAll(cluster, topic, partitions: 1, expected: 200);

        Assert.Multiple(() =>
        {
            Assert.That(flushedWhileDown, Is.False, "FlushAsync waits for the acknowledgements");
            Assert.That(read.Select(r => r.Message.Value), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"a{i}").Concat(Enumerable.Range(0, 100).Select(i => $"b{i}"))));
        });
    }
}
