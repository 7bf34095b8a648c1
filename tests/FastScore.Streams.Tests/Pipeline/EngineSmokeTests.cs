using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Pipeline;

public sealed class EngineSmokeTests
{
    private sealed class Upper : IModel<string, string>
    {
        public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            output.Emit(input.ToUpperInvariant());
            return default;
        }
    }

    [Test]
    public async Task An_identity_like_model_scores_a_file_into_a_file_and_finishes()
    {
        string dir = Directory.CreateTempSubdirectory("fss-").FullName;
        string input = Path.Combine(dir, "in.txt");
        string output = Path.Combine(dir, "out.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, 3000).Select(i => $"r{i}"));
        var options = new StreamFactoryOptions();
        options.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create(EncodingTypes.Null, _ => new TestRawEncoding()));
        await using var engine = new ScoringEngine(new StreamFactory(options));
        var states = new List<EngineState>();
        engine.StateChanged += (_, e) => { lock (states) { states.Add(e.Current); } };
        engine.LoadModel(new Upper());
        engine.Attach(0, new StreamDescriptor { Transport = new FileTransportDescriptor { Path = input }, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = null });
        engine.Attach(1, new StreamDescriptor { Transport = new FileTransportDescriptor { Path = output }, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = null });
        EngineState final = await engine.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), inspection.Error);
            Assert.That(File.ReadAllLines(output), Is.EqualTo(Enumerable.Range(1, 3000).Select(i => $"R{i}")));
            Assert.That(states, Is.EqualTo(new[] { EngineState.Running, EngineState.Finishing, EngineState.Finished }));
            Assert.That(inspection.Slots.Select(s => s.Records), Is.EqualTo(new long[] { 3000, 3000 }));
        });
        Directory.Delete(dir, true);
    }
}
