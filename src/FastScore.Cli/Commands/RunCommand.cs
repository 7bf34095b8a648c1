using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Cli.Commands;

/// <summary><c>fastscore run &lt;model&gt; &lt;stream0&gt; &lt;stream1&gt; [slot=stream ...]</c>: runs a model on streams until FINISHED (or Ctrl-C).</summary>
internal static class RunCommand
{
    /// <summary>The default of <c>--stop-timeout</c>: the engine's.</summary>
    private static readonly TimeSpan DefaultStopTimeout = new EngineOptions().StopTimeout;

    public static Command Create(CliIo io)
    {
        var model = new Argument<string>("model") { Description = "A built-in model (iris, echo) or, with --assembly, your model's type name." };
        var streams = new Argument<string[]>("streams")
        {
            Description = "Slot 0's stream, slot 1's stream, then more slot=stream pairs (e.g. 2=file:/data/b.jsons 3=console:). A stream is a descriptor file or a literal.",
            Arity = ArgumentArity.OneOrMore,
        };
        var assembly = new Option<string?>("--assembly") { Description = "Load the model from this assembly (.dll)." };
        var type = new Option<string?>("--type") { Description = "The model's type name in --assembly (defaults to <model>)." };
        var schemas = new Option<string?>("--schemas") { Description = "A folder of name.avsc files that {\"$ref\": name} schemas resolve to." };
        var onError = new Option<ModelErrorPolicy>("--on-model-error") { Description = "What to do when the model throws: Stop (the engine ends in ERROR) or Skip.", DefaultValueFactory = _ => ModelErrorPolicy.Stop };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print the summary." };
        var stopTimeout = new Option<double>("--stop-timeout")
        {
            Description = "Seconds a stop (Ctrl-C, SIGTERM) may take beyond the outputs' LingerTime before it is abandoned: what was not delivered by then is counted as undelivered. A second Ctrl-C / SIGTERM exits at once.",
            DefaultValueFactory = _ => DefaultStopTimeout.TotalSeconds,
        };
        var command = new Command("run", "Run a model on streams until every input ends (or Ctrl-C / SIGTERM: stop reading, drain, flush, exit 0), then print the engine summary to stderr.")
        {
            model, streams, assembly, type, schemas, onError, quiet, stopTimeout,
        };
        command.SetAction((parse, ct) => RunAsync(io, parse.GetValue(model)!, parse.GetValue(streams)!, parse.GetValue(assembly), parse.GetValue(type),
            parse.GetValue(schemas), parse.GetValue(onError), parse.GetValue(quiet), parse.GetValue(stopTimeout), ct));
        return command;
    }

    /// <summary>Parses <c>stream0 stream1 [slot=stream ...]</c> into slot → text.</summary>
    public static SortedDictionary<int, string>? ParseSlots(string[] streams, TextWriter error)
    {
        var slots = new SortedDictionary<int, string>();
        for (int i = 0; i < streams.Length; i++)
        {
            string text = streams[i];
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            if (i >= 2 || (eq > 0 && int.TryParse(text.AsSpan(0, eq), NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                if (eq <= 0 || !int.TryParse(text.AsSpan(0, eq), NumberStyles.None, CultureInfo.InvariantCulture, out int slot))
                {
                    error.WriteLine($"'{text}': after the first two streams, give slot=stream (e.g. 2=file:/data/more.jsons).");
                    return null;
                }

                if (!slots.TryAdd(slot, text[(eq + 1)..]))
                {
                    error.WriteLine($"Slot {slot} is given twice.");
                    return null;
                }
            }
            else if (!slots.TryAdd(i, text))
            {
                error.WriteLine($"Slot {i} is given twice.");
                return null;
            }
        }

        return slots;
    }

    private static async Task<int> RunAsync(CliIo io, string modelName, string[] streamArgs, string? assemblyPath, string? typeName,
        string? schemasDirectory, ModelErrorPolicy onError, bool quiet, double stopTimeout, CancellationToken cancellationToken)
    {
        if (!(stopTimeout >= 0) || stopTimeout > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            io.Error.WriteLine("--stop-timeout must be a number of seconds, 0 or more.");
            return 2;
        }

        IModel model;
        try
        {
            model = ModelLoader.Load(modelName, assemblyPath, typeName);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or BadImageFormatException or TypeLoadException)
        {
            io.Error.WriteLine(ex.Message);
            return 2;
        }

        SortedDictionary<int, string>? slots = ParseSlots(streamArgs, io.Error);
        if (slots is null)
        {
            return 2;
        }

        StreamDescriptorOptions descriptorOptions;
        try
        {
            descriptorOptions = CliStreams.DescriptorOptions(schemasDirectory);
        }
        catch (Exception ex) when (ex is StreamException or IOException)
        {
            io.Error.WriteLine(ex.Message);
            return 2;
        }

        var descriptors = new SortedDictionary<int, StreamDescriptor>();
        foreach ((int slot, string text) in slots)
        {
            StreamDescriptor? descriptor = CliStreams.Read(text, descriptorOptions, io.Error);
            if (descriptor is null)
            {
                return 1;
            }

            descriptors[slot] = descriptor;
        }

        var options = new EngineOptions
        {
            OnModelError = onError,
            ConsoleInput = io.StandardInput,
            ConsoleOutput = io.StandardOutput,
            SchemaLookup = descriptorOptions.SchemaLibrary is { } library ? name => library.TryGetSchemaJson(name, out string? json) ? json : null : null,
            StopTimeout = TimeSpan.FromSeconds(stopTimeout),
        };
        var logging = new CliLogging(io.Error); // transports' warnings (e.g. an unreachable broker) as they happen
        await using var engine = new ScoringEngine(CliStreams.CreateFactory(logging), options, logging);
        try
        {
            engine.LoadModel(model, modelName);
            foreach ((int slot, StreamDescriptor descriptor) in descriptors)
            {
                engine.Attach(slot, descriptor, slots[slot]);
            }

            engine.Start();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or StreamException)
        {
            io.Error.WriteLine(ex.Message);
            return 1;
        }

        using var progress = io.IsTerminal && !quiet ? new Progress(engine, io.Error) : null;
        EngineState final = await engine.RunAsync(cancellationToken).ConfigureAwait(false);
        progress?.Dispose();
        if (!quiet)
        {
            io.Error.Write(InspectionFormatter.Format(engine.Inspect()));
        }

        (model as IDisposable)?.Dispose();
        bool undelivered = engine.Inspect().Slots.Any(s => s.Undelivered > 0); // never a success when records were lost on the way out
        return final == EngineState.Finished && !undelivered ? 0 : 1;
    }

    /// <summary>Live progress on a terminal: records/s and rejects, redrawn once a second.</summary>
    private sealed class Progress : IDisposable
    {
        private readonly Timer _timer;
        private readonly TextWriter _error;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _last;

        public Progress(ScoringEngine engine, TextWriter error)
        {
            _error = error;
            _timer = new Timer(_ =>
            {
                EngineInspection i = engine.Inspect();
                long records = i.Slots.Where(s => s.IsInput).Sum(s => s.Records);
                long rejected = i.Slots.Sum(s => s.RejectedByEncoding + s.RejectedBySchema);
                long rate = records - _last;
                _last = records;
                lock (_error)
                {
                    _error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{i.State.ToString().ToUpperInvariant()}  {records:N0} records  {rate:N0}/s  {rejected:N0} rejected  {_clock.Elapsed:mm\\:ss}   "));
                }
            }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        public void Dispose()
        {
            _timer.Dispose();
            lock (_error)
            {
                _error.Write("\r" + new string(' ', 78) + "\r");
            }
        }
    }
}
