using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace FastScore.Streams.Kafka.Tests.Infrastructure;

/// <summary>
/// A real Kafka-protocol cluster for integration tests: a librdkafka mock cluster hosted by a KafkaMockHost child
/// process (started with <c>dotnet KafkaMockHost/KafkaMockHost.dll</c> from the test output folder), or an external
/// cluster named by the <c>KAFKA_BOOTSTRAP</c> environment variable.
/// </summary>
/// <remarks>
/// <para>Use <see cref="Shared"/> (one cluster per test run, honours <c>KAFKA_BOOTSTRAP</c>) with a unique topic and
/// group per test (<see cref="CreateUniqueTopic"/>, <see cref="UniqueName"/>). Start a private cluster with
/// <see cref="StartMock"/> for tests that break it (broker down, kill, restart).</para>
/// <para>Limitations of the mock: data lives in the host's memory only, so after <see cref="Kill"/> and
/// <see cref="Restart"/> the cluster is <b>empty</b> (no topics, no offsets, no groups) and listens on
/// <b>new ports</b>: read <see cref="BootstrapServers"/> again and build new clients. It keeps at most 5 MiB
/// (or 100 000 batches) per partition and silently drops older batches past that.</para>
/// </remarks>
public sealed class KafkaTestCluster : IDisposable
{
    /// <summary>The environment variable naming an external cluster (<c>host:port[,host:port]</c>) to use instead of the mock.</summary>
    public const string BootstrapVariable = "KAFKA_BOOTSTRAP";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(15);
    private static readonly Lazy<KafkaTestCluster> s_shared = new(CreateShared, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Lock _lock = new();
    private readonly int _brokers;
    private readonly int _rebalanceDelayMs;
    private readonly ConcurrentQueue<string> _stderr = new();
    private Process? _process;
    private bool _disposed;

    private KafkaTestCluster(string bootstrapServers)
    {
        BootstrapServers = bootstrapServers;
        IsMock = false;
    }

    private KafkaTestCluster(int brokers, int rebalanceDelayMs)
    {
        _brokers = brokers;
        _rebalanceDelayMs = rebalanceDelayMs;
        IsMock = true;
        BootstrapServers = StartHost();
    }

    /// <summary>
    /// Gets the cluster shared by every test of this run: <c>KAFKA_BOOTSTRAP</c> when set, else a one-broker mock
    /// (first-assignment delay 0), started on first use and disposed by <see cref="KafkaTestSetup"/>.
    /// </summary>
    public static KafkaTestCluster Shared => s_shared.Value;

    /// <summary>Gets the bootstrap servers; they change on <see cref="Restart"/>.</summary>
    public string BootstrapServers { get; private set; }

    /// <summary>Gets a value indicating whether this is a mock host child (fault injection works) rather than an external cluster.</summary>
    public bool IsMock { get; }

    /// <summary>Gets a value indicating whether the mock host child is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts a private mock cluster in its own KafkaMockHost process (regardless of <c>KAFKA_BOOTSTRAP</c>).
    /// </summary>
    /// <param name="brokers">Number of brokers, ids 1..N.</param>
    /// <param name="rebalanceDelayMs">The broker's <c>group.initial.rebalance.delay.ms</c>: 0 for single-consumer
    /// tests; 3000 (the broker default) settles multi-member rebalances faster.</param>
    public static KafkaTestCluster StartMock(int brokers = 1, int rebalanceDelayMs = 0) => new(brokers, rebalanceDelayMs);

    /// <summary>Returns a name unique to this run, e.g. for a topic or a consumer group.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Producer settings for tests: <c>linger.ms=5</c>, <c>acks=all</c>.</summary>
    public ProducerConfig ProducerConfig() => new() { BootstrapServers = BootstrapServers, LingerMs = 5, Acks = Acks.All };

    /// <summary>
    /// Consumer settings for tests: earliest offset, no auto-commit, short session (a rejoin after a member leaves waits
    /// session.timeout − 1 s on the mock) and a 10 ms fetch wait (the mock does not wake a long poll on new data).
    /// </summary>
    public ConsumerConfig ConsumerConfig(string groupId) => new()
    {
        BootstrapServers = BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 2000,
        HeartbeatIntervalMs = 500,
        FetchWaitMaxMs = 10,
    };

    /// <summary>Creates a topic with an exact partition count (replication factor min(3, brokers) on the mock, 1 on an external cluster).</summary>
    public void CreateTopic(string name, int partitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        if (name.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException("Kafka topic names cannot contain spaces.", nameof(name));
        }

        if (IsMock)
        {
            Command($"topic {name} {partitions.ToString(CultureInfo.InvariantCulture)}");
        }
        else
        {
            CreateExternalTopic(name, partitions);
        }
    }

    /// <summary>Creates a topic named <c>prefix-&lt;guid&gt;</c> and returns its name.</summary>
    public string CreateUniqueTopic(string prefix, int partitions)
    {
        var name = UniqueName(prefix);
        CreateTopic(name, partitions);
        return name;
    }

    /// <summary>Takes a mock broker down: its connections close and new ones are refused until <see cref="BrokerUp"/>.</summary>
    public void BrokerDown(int brokerId) => Command($"down {brokerId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Brings a mock broker back up.</summary>
    public void BrokerUp(int brokerId) => Command($"up {brokerId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Kills the host process at once (a crash: clients see every broker vanish). <see cref="Restart"/> starts a new, empty one.</summary>
    public void Kill()
    {
        RequireMock();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is { } process)
            {
                KillAndForget(process);
                _process = null;
            }
        }
    }

    /// <summary>
    /// Stops the host (if running) and starts a new one. The new cluster is empty and listens on new ports:
    /// <see cref="BootstrapServers"/> changes, so build new clients and create the topics again.
    /// </summary>
    public void Restart()
    {
        RequireMock();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is { } process)
            {
                StopGracefully(process);
                _process = null;
            }

            BootstrapServers = StartHost();
        }
    }

    /// <summary>Stops the host child process, if this instance started one. Nothing else is touched.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_process is { } process)
            {
                StopGracefully(process);
                _process = null;
            }
        }
    }

    internal static void DisposeShared()
    {
        if (s_shared.IsValueCreated)
        {
            s_shared.Value.Dispose();
        }
    }

    private static KafkaTestCluster CreateShared()
    {
        var external = Environment.GetEnvironmentVariable(BootstrapVariable);
        return string.IsNullOrWhiteSpace(external) ? new KafkaTestCluster(brokers: 1, rebalanceDelayMs: 0) : new KafkaTestCluster(external.Trim());
    }

    private static string HostDll()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "KafkaMockHost", "KafkaMockHost.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"KafkaMockHost is not in the test output ({path}). It is copied there when FastScore.Streams.Kafka.Tests builds; rebuild the test project.",
                path);
    }

    private static string DotnetExecutable()
    {
        // The SDK sets DOTNET_HOST_PATH for dotnet test; the test host itself usually runs under that dotnet too.
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static void KillAndForget(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        finally
        {
            process.Dispose();
        }
    }

    private static void StopGracefully(Process process)
    {
        try
        {
            // Closing stdin is the host's stop signal; it disposes the cluster and exits.
            process.StandardInput.Close();
            if (process.WaitForExit(5000))
            {
                process.Dispose();
                return;
            }
        }
        catch (IOException)
        {
            // pipe already broken: fall through to kill
        }

        KillAndForget(process);
    }

    private string StartHost()
    {
        var start = new ProcessStartInfo(DotnetExecutable())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostDll());
        start.ArgumentList.Add("--brokers");
        start.ArgumentList.Add(_brokers.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--rebalance-delay-ms");
        start.ArgumentList.Add(_rebalanceDelayMs.ToString(CultureInfo.InvariantCulture));

        _stderr.Clear();
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start KafkaMockHost.");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
                while (_stderr.Count > 200 && _stderr.TryDequeue(out string? _))
                {
                }
            }
        };
        process.BeginErrorReadLine();

        var line = ReadLine(process, s_startTimeout);
        if (line is null || !line.StartsWith("BOOTSTRAP=", StringComparison.Ordinal))
        {
            KillAndForget(process);
            throw new InvalidOperationException($"KafkaMockHost did not print BOOTSTRAP=... (got '{line}'). Its stderr:{Environment.NewLine}{StderrTail()}");
        }

        _process = process;
        return line["BOOTSTRAP=".Length..];
    }

    private void Command(string command)
    {
        RequireMock();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var process = _process is { HasExited: false } running
                ? running
                : throw new InvalidOperationException("The KafkaMockHost process is not running (killed?); call Restart() first.");
            process.StandardInput.WriteLine(command);
            process.StandardInput.Flush();
            var answer = ReadLine(process, s_commandTimeout);
            if (answer != "ok")
            {
                throw new InvalidOperationException($"KafkaMockHost answered '{answer ?? "<nothing>"}' to '{command}'.{Environment.NewLine}{StderrTail()}");
            }
        }
    }

    private string? ReadLine(Process process, TimeSpan timeout)
    {
        var read = process.StandardOutput.ReadLineAsync();
        if (!read.Wait(timeout))
        {
            throw new TimeoutException($"KafkaMockHost did not answer within {timeout.TotalSeconds} s. Its stderr:{Environment.NewLine}{StderrTail()}");
        }

        return read.Result;
    }

    private string StderrTail() => string.Join(Environment.NewLine, _stderr);

    private void RequireMock()
    {
        if (!IsMock)
        {
            throw new InvalidOperationException(
                $"Fault injection needs the mock cluster, but this is the external cluster from {BootstrapVariable}={BootstrapServers}. Use KafkaTestCluster.StartMock().");
        }
    }

    private void CreateExternalTopic(string name, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        try
        {
            var created = admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }]);
            if (!created.Wait(s_commandTimeout))
            {
                throw new TimeoutException($"Creating topic {name} on {BootstrapServers} took longer than {s_commandTimeout.TotalSeconds} s.");
            }
        }
        catch (AggregateException e) when (e.InnerException is CreateTopicsException c && c.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // fine: an earlier run created it
        }
    }
}
