// KafkaMockHost: a librdkafka mock cluster (real Kafka protocol, in-memory brokers on 127.0.0.1) in its own process,
// so that tests, demos and kcat in other processes can connect to it over TCP.
//
//   dotnet KafkaMockHost.dll [--brokers N] [--bootstrap-file PATH] [--topic name:partitions]...
//                            [--rebalance-delay-ms MS] [--ignore-stdin]
//
// Prints "BOOTSTRAP=127.0.0.1:PORT[,...]" on stdout, then answers one command per stdin line with "ok" or "error ...":
//   topic <name> <partitions> [replication]   create a topic with an exact partition count
//   down <brokerId> | up <brokerId>           take a broker down / bring it back (ids are 1..N)
//   rtt <brokerId> <ms>                       add round-trip latency to a broker
//   errors <apiKey> <code>[ <code>...]        fail the next requests of one Kafka API with these error codes
//   bootstrap                                 answers "ok <bootstrap servers>"
//   quit                                      stop
// It runs until stdin closes (so it dies with a parent that started it), "quit", or SIGTERM/SIGINT.
// With --ignore-stdin (for `host &` in a shell, where stdin is /dev/null) it runs until SIGTERM/SIGINT only.
// The cluster and all its data die with this process.
using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using KafkaMockHost;

int brokers = 1;
int rebalanceDelayMs = 0;
string? bootstrapFile = null;
bool ignoreStdin = false;
var topics = new List<(string Name, int Partitions)>();
try
{
    for (int i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--brokers":
                brokers = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture);
                break;
            case "--bootstrap-file":
                bootstrapFile = Value(args, ref i);
                break;
            case "--rebalance-delay-ms":
                rebalanceDelayMs = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture);
                break;
            case "--topic":
                var spec = Value(args, ref i).Split(':');
                topics.Add((spec[0], spec.Length > 1 ? int.Parse(spec[1], CultureInfo.InvariantCulture) : 1));
                break;
            case "--ignore-stdin":
                ignoreStdin = true;
                break;
            default:
                throw new FormatException($"unknown argument '{args[i]}'");
        }
    }
}
catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
{
    Console.Error.WriteLine($"KafkaMockHost: {e.Message}");
    Console.Error.WriteLine("usage: KafkaMockHost [--brokers N] [--bootstrap-file PATH] [--topic name:partitions]... [--rebalance-delay-ms MS] [--ignore-stdin]");
    return 2;
}

using var cluster = new KafkaMockCluster(brokers, message => Console.Error.WriteLine($"[mock] {message}"));
cluster.SetInitialRebalanceDelay(rebalanceDelayMs); // mock default: 3000 ms before a new group's first assignment
foreach (var (name, partitions) in topics)
{
    cluster.CreateTopic(name, partitions, Math.Min(3, brokers));
}

Console.Out.WriteLine($"BOOTSTRAP={cluster.BootstrapServers}");
Console.Out.Flush();
if (bootstrapFile is not null)
{
    // Written atomically, so that a script polling for the file never reads half an address.
    File.WriteAllText(bootstrapFile + ".tmp", cluster.BootstrapServers);
    File.Move(bootstrapFile + ".tmp", bootstrapFile, overwrite: true);
}

using var stop = new ManualResetEventSlim();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
if (!ignoreStdin)
{
    var reader = new Thread(() =>
    {
        while (Console.In.ReadLine() is { } line)
        {
            if (line.Trim() == "quit")
            {
                break;
            }

            if (line.Trim().Length > 0)
            {
                Console.Out.WriteLine(Execute(cluster, line));
                Console.Out.Flush();
            }
        }

        stop.Set();
    })
    { IsBackground = true, Name = "stdin commands" };
    reader.Start();
}

stop.Wait();
Console.Error.WriteLine("KafkaMockHost: mock cluster stopped");
return 0;

static string Value(string[] args, ref int i) =>
    ++i < args.Length ? args[i] : throw new FormatException($"{args[i - 1]} needs a value");

static string Execute(KafkaMockCluster cluster, string line)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    try
    {
        switch (words[0])
        {
            case "topic" when words.Length is 3 or 4:
                cluster.CreateTopic(words[1], Int(words[2]), words.Length == 4 ? Int(words[3]) : Math.Min(3, cluster.BrokerCount));
                return "ok";
            case "down" when words.Length == 2:
                cluster.BrokerDown(Int(words[1]));
                return "ok";
            case "up" when words.Length == 2:
                cluster.BrokerUp(Int(words[1]));
                return "ok";
            case "rtt" when words.Length == 3:
                cluster.SetBrokerRtt(Int(words[1]), Int(words[2]));
                return "ok";
            case "errors" when words.Length >= 3:
                cluster.PushRequestErrors(short.Parse(words[1], CultureInfo.InvariantCulture), words.Skip(2).Select(w => (ErrorCode)Int(w)).ToArray());
                return "ok";
            case "bootstrap" when words.Length == 1:
                return $"ok {cluster.BootstrapServers}";
            default:
                return $"error unknown command or wrong arguments: {line.Trim()}";
        }
    }
    catch (Exception e) when (e is KafkaException or FormatException or OverflowException or ArgumentException)
    {
        return $"error {e.Message.ReplaceLineEndings(" ")}";
    }

    static int Int(string word) => int.Parse(word, CultureInfo.InvariantCulture);
}
