using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace KafkaMockHost;

/// <summary>
/// A librdkafka mock cluster: N in-memory brokers that speak the real Kafka protocol on 127.0.0.1 TCP ports
/// (random, kernel-picked). The cluster is owned by one admin client and lives exactly as long as this object.
/// Other clients, in this process or another one, connect to <see cref="BootstrapServers"/>.
/// </summary>
/// <remarks>
/// The mock has no topic-admin API, so topics with an exact partition count and fault injection go through the
/// mock C API that the same native librdkafka exports (<c>rdkafka_mock.h</c>), called by P/Invoke.
/// Checked with Confluent.Kafka / librdkafka 2.16.0 only; the <c>test.mock.*</c> properties are librdkafka test code.
/// Prefer hosting it in its own process (the KafkaMockHost program): some admin calls (ListConsumerGroups) crash
/// a process that hosts the mock.
/// </remarks>
public sealed class KafkaMockCluster : IDisposable
{
    private readonly IAdminClient _owner;
    private readonly IntPtr _cluster;
    private bool _disposed;

    /// <summary>Creates a cluster of <paramref name="brokers"/> brokers (ids 1..N) and waits until it answers.</summary>
    public KafkaMockCluster(int brokers = 1, Action<string>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        BrokerCount = brokers;
        var config = new AdminClientConfig();
        config.Set("test.mock.num.brokers", brokers.ToString(CultureInfo.InvariantCulture)); // bootstrap.servers is ignored and replaced
        _owner = new AdminClientBuilder(config)
            .SetLogHandler((_, m) =>
            {
                if (m.Level <= SyslogLevel.Warning)
                {
                    log?.Invoke($"[{m.Level}] {m.Facility}: {m.Message}");
                }
            })
            .Build();
        var metadata = _owner.GetMetadata(TimeSpan.FromSeconds(10));
        BootstrapServers = string.Join(",", metadata.Brokers.OrderBy(b => b.BrokerId).Select(b => $"{b.Host}:{b.Port}"));
        _cluster = Native.MockCluster(_owner.Handle);
    }

    /// <summary>Gets the broker addresses, <c>127.0.0.1:PORT[,127.0.0.1:PORT...]</c>, ordered by broker id.</summary>
    public string BootstrapServers { get; }

    /// <summary>Gets the number of brokers; their ids are 1..<see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>
    /// Creates a topic with an exact partition count (the mock has no CreateTopics API; auto-create gives 4 partitions).
    /// </summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        Check(Native.TopicCreate(Cluster, topic, partitions, replicationFactor));
    }

    /// <summary>
    /// Sets the broker-side <c>group.initial.rebalance.delay.ms</c>. The mock's default, 3000 ms, delays the first
    /// assignment of every new consumer group; 0 suits single-consumer tests, 3000 multi-member rebalance tests.
    /// </summary>
    public void SetInitialRebalanceDelay(int milliseconds) => Native.RebalanceDelay(Cluster, milliseconds);

    /// <summary>Takes a broker down: its connections are closed and new ones refused until <see cref="BrokerUp"/>.</summary>
    public void BrokerDown(int brokerId) => Check(Native.BrokerSetDown(Cluster, brokerId));

    /// <summary>Brings a broker taken down by <see cref="BrokerDown"/> back.</summary>
    public void BrokerUp(int brokerId) => Check(Native.BrokerSetUp(Cluster, brokerId));

    /// <summary>Adds <paramref name="milliseconds"/> of round-trip latency to every response of a broker.</summary>
    public void SetBrokerRtt(int brokerId, int milliseconds) => Check(Native.BrokerSetRtt(Cluster, brokerId, milliseconds));

    /// <summary>Makes the next <c>errors.Length</c> requests of one Kafka API (e.g. 0 = Produce) fail with the given codes.</summary>
    public void PushRequestErrors(short apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = errors.Select(e => (int)e).ToArray();
        Native.PushRequestErrors(Cluster, apiKey, (nuint)codes.Length, codes);
    }

    /// <summary>Destroys the cluster: every broker closes and all data is lost.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _owner.Dispose();
    }

    private IntPtr Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _cluster;
        }
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new KafkaException((ErrorCode)error);
        }
    }

    /// <summary>The mock C API of the very librdkafka that Confluent.Kafka loaded.</summary>
    private static class Native
    {
        private static readonly Lazy<IntPtr> s_library = new(LoadLoadedLibrdkafka);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate IntPtr HandleMockClusterFn(IntPtr rk);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int TopicCreateFn(IntPtr mcluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitions, int replicationFactor);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate void RebalanceDelayFn(IntPtr mcluster, int delayMs);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int BrokerFn(IntPtr mcluster, int brokerId);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate int BrokerRttFn(IntPtr mcluster, int brokerId, int rttMs);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate void PushRequestErrorsFn(IntPtr mcluster, short apiKey, nuint count, int[] errors);

        public static IntPtr MockCluster(Handle handle)
        {
            // Confluent.Kafka keeps the rd_kafka_t* internal: Handle.LibrdkafkaHandle (a SafeKafkaHandle).
            var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)
                ?? throw new InvalidOperationException("Confluent.Kafka's Handle.LibrdkafkaHandle is gone; this helper is checked with 2.16.0 only.");
            var safeHandle = (SafeHandle)property.GetValue(handle)!;
            var cluster = Fn<HandleMockClusterFn>("rd_kafka_handle_mock_cluster")(safeHandle.DangerousGetHandle());
            return cluster != IntPtr.Zero ? cluster : throw new InvalidOperationException("The client does not own a mock cluster.");
        }

        public static int TopicCreate(IntPtr c, string topic, int partitions, int rf) => Fn<TopicCreateFn>("rd_kafka_mock_topic_create")(c, topic, partitions, rf);

        public static void RebalanceDelay(IntPtr c, int ms) => Fn<RebalanceDelayFn>("rd_kafka_mock_group_initial_rebalance_delay_ms")(c, ms);

        public static int BrokerSetDown(IntPtr c, int id) => Fn<BrokerFn>("rd_kafka_mock_broker_set_down")(c, id);

        public static int BrokerSetUp(IntPtr c, int id) => Fn<BrokerFn>("rd_kafka_mock_broker_set_up")(c, id);

        public static int BrokerSetRtt(IntPtr c, int id, int ms) => Fn<BrokerRttFn>("rd_kafka_mock_broker_set_rtt")(c, id, ms);

        public static void PushRequestErrors(IntPtr c, short apiKey, nuint count, int[] errors) =>
            Fn<PushRequestErrorsFn>("rd_kafka_mock_push_request_errors_array")(c, apiKey, count, errors);

        private static T Fn<T>(string name)
            where T : Delegate =>
            Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(s_library.Value, name));

        private static IntPtr LoadLoadedLibrdkafka()
        {
            // Confluent.Kafka picks one of several librdkafka builds at run time (on Debian 12: centos8-librdkafka.so,
            // because the default build needs libsasl2.so.3). Bind to exactly the file it loaded.
            const string Maps = "/proc/self/maps";
            var path = File.Exists(Maps)
                ? File.ReadLines(Maps)
                    .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .Where(fields => fields.Length >= 6 && fields[5].Contains("librdkafka", StringComparison.Ordinal))
                    .Select(fields => fields[5])
                    .FirstOrDefault()
                : null;
            return path is not null
                ? NativeLibrary.Load(path)
                : throw new PlatformNotSupportedException("Could not find the loaded librdkafka in /proc/self/maps (Linux only).");
        }
    }
}
