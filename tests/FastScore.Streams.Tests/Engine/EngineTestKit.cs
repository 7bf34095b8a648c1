using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Schemas;
using Microsoft.Extensions.Time.Testing;

namespace FastScore.Streams.Tests.Engine;

/// <summary>What engine tests share: a temp folder, a factory with the <c>test</c> transport, engines that are disposed, waiting helpers.</summary>
public abstract class EngineTestBase
{
    private readonly List<ScoringEngine> _engines = [];

    protected string Dir { get; private set; } = "";

    internal TestTransportProvider Transports { get; private set; } = null!;

    protected StreamFactoryOptions FactoryOptions { get; private set; } = null!;

    protected FakeTimeProvider Time { get; private set; } = null!;

    [SetUp]
    public void SetUpEngineTest()
    {
        Dir = Directory.CreateTempSubdirectory("fss-engine-").FullName;
        Transports = new TestTransportProvider();
        FactoryOptions = new StreamFactoryOptions();
        FactoryOptions.Components.Add(Transports);
        foreach (string encoding in (string[])[EncodingTypes.Json, EncodingTypes.Utf8, EncodingTypes.Null])
        {
            FactoryOptions.Components.Add(FastScore.Streams.Schemas.SchemaCheckerProvider.Create(encoding, TestSchemaChecker.Create));
        }
        Time = new FakeTimeProvider();
    }

    [TearDown]
    public async Task TearDownEngineTest()
    {
        foreach (ScoringEngine engine in _engines)
        {
            await engine.DisposeAsync();
        }

        _engines.Clear();
        Directory.Delete(Dir, recursive: true);
    }

    protected ScoringEngine NewEngine(EngineOptions? options = null, System.Diagnostics.Metrics.IMeterFactory? meters = null)
    {
        var engine = new ScoringEngine(new StreamFactory(FactoryOptions), options ?? new EngineOptions(), meterFactory: meters);
        _engines.Add(engine);
        return engine;
    }

    protected ScoringEngine NewEngineWithFakeTime(ModelErrorPolicy policy = ModelErrorPolicy.Stop) =>
        NewEngine(new EngineOptions { TimeProvider = Time, OnModelError = policy });

    internal ChannelInput Input(string name) => Transports.Add(name, new ChannelInput());

    internal CollectingOutput Output(string name, bool blocked = false) => Transports.Add(name, new CollectingOutput(blocked));

    protected static StreamDescriptor Test(string name, BatchingDescriptor? batching = null, EncodingDescriptor? encoding = null, SchemaReference? schema = null, int? lingerTime = 3000) =>
        TestTransportProvider.Descriptor(name, encoding, batching, schema, lingerTime);

    protected string WriteFile(string name, params string[] lines)
    {
        string path = Path.Combine(Dir, name);
        System.IO.File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")), new UTF8Encoding(false));
        return path;
    }

    protected string PathOf(string name) => Path.Combine(Dir, name);

    protected static StreamDescriptor File(string path, EncodingDescriptor? encoding = null, BatchingDescriptor? batching = null, SchemaReference? schema = null) => new()
    {
        Transport = new FileTransportDescriptor { Path = path },
        Envelope = new DelimitedEnvelopeDescriptor(),
        Encoding = encoding ?? EncodingDescriptor.Json,
        Batching = batching ?? BatchingDescriptor.Normal,
        Schema = schema ?? SchemaReference.Inherit,
    };

    protected static string[] Lines(string path) => System.IO.File.ReadAllLines(path);

    /// <summary>Waits (without asserting on time) until a condition holds; fails the test after a generous limit.</summary>
    protected static async Task Until(Func<bool> condition, string what)
    {
        var limit = TimeSpan.FromSeconds(30);
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed > limit)
            {
                Assert.Fail($"Gave up waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }

    protected static Task<EngineState> Finished(ScoringEngine engine) => engine.Completion.WaitAsync(TimeSpan.FromSeconds(30));

    protected static SlotInspection Slot(ScoringEngine engine, int slot) => engine.Inspect().Slots.Single(s => s.Slot == slot);

    /// <summary>Records state changes.</summary>
    protected static List<EngineState> Track(ScoringEngine engine)
    {
        var states = new List<EngineState>();
        engine.StateChanged += (_, e) =>
        {
            lock (states)
            {
                states.Add(e.Current);
            }
        };
        return states;
    }

    protected static EngineState[] Snapshot(List<EngineState> states)
    {
        lock (states)
        {
            return [.. states];
        }
    }
}

/// <summary>Records which schema checkers the factory built (schema name, encoding), then builds the real ones.</summary>
internal static class TestSchemaChecker
{
    public static readonly List<(string? Schema, string? Encoding)> Created = [];

    public static SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding)
    {
        lock (Created)
        {
            Created.Add((schema?.Name, encoding?.Type));
        }

        return TestComponents.Checker(schema, encoding);
    }
}
