using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest;

namespace FastScore.Cli.Commands;

/// <summary><c>fastscore run &lt;model&gt; &lt;stream0&gt; &lt;stream1&gt; [slot=stream ...]</c>: runs a model on streams until FINISHED (or Ctrl-C).</summary>
internal static class RunCommand
{
    /// <summary>Every input reached its end and the run finished (rejections within <c>--max-rejected</c>).</summary>
    public const int Finished = 0;

    /// <summary>The run failed or could not start: a stream or the model failed, too many records were rejected, or a stream cannot be used.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong (unknown model, bad option).</summary>
    public const int Usage = 2;

    /// <summary>Ctrl-C or SIGTERM stopped the run before every input reached its end; what was read was scored and written.</summary>
    public const int Stopped = 3;

    private const string ExitCodes =
        "Exit codes: 0 finished (every input reached its end); 1 failed (a stream or the model failed, every record was rejected, " +
        "more than --max-rejected were rejected, a stream cannot be used, e.g. an output that is an input file, records written " +
        "to an output were not delivered, or a stop did not finish within LingerTime + --stop-timeout); 2 usage error; " +
        "3 stopped by Ctrl-C or SIGTERM before every input reached its end (what was read was scored and written); " +
        "130 / 143 a second Ctrl-C / SIGTERM during the stop (exits at once).";

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
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print the summary (the reason for a failure or a stop is still printed)." };
        var maxRejected = new Option<string?>("--max-rejected")
        {
            Description = "Fail the run when more than N records are rejected (it stops reading as soon as the limit is crossed, " +
                "scores what it read, and exits 1), or when more than N% of the records read are rejected (judged at the end). " +
                "Without it, only a run that rejected every record it read fails.",
            HelpName = "N|N%",
        };
        var stopTimeout = new Option<double>("--stop-timeout")
        {
            Description = "Seconds a stop (Ctrl-C, SIGTERM) may take beyond the outputs' LingerTime before it is abandoned: what was not delivered by then is counted as undelivered. A second Ctrl-C / SIGTERM exits at once.",
            DefaultValueFactory = _ => DefaultStopTimeout.TotalSeconds,
        };
        var progressMode = new Option<ProgressMode>("--progress")
        {
            Description = "auto: a live line on a terminal, nothing otherwise; live: one line redrawn a few times a second; " +
                "plain: a line every --progress-interval seconds (for logs); none: only the summary.",
            DefaultValueFactory = _ => ProgressMode.Auto,
        };
        var progressInterval = new Option<double?>("--progress-interval") { Description = "Seconds between progress lines (live: 0.25, plain: 5)." };
        var rejects = new Option<string?>("--rejects")
        {
            Description = "Write every rejected record (by encoding, by schema, for its size, or skipped with --on-model-error Skip) to this stream " +
                "as a JSON reject document: a descriptor file or a literal (file:/data/rejects.jsons, kafka:broker:9092/dead-letters, s3:..., discard:). " +
                "An input record is acknowledged only once its reject is durable.",
            HelpName = "STREAM",
        };
        var local = new Option<bool>("--local") { Description = "Run in this process even when an engine is selected (fastscore use)." };
        var wait = new Option<bool>("--wait") { Description = "On an engine: wait until it finishes (or fails), then exit 0 (finished) or 1." };
        var connection = new ModelDataCommands.ConnectionOptions();
        var command = new Command("run",
            "Run a model on streams until every input ends (or Ctrl-C / SIGTERM: stop reading, score and write what was read, exit 3), " +
            "then print the engine summary to stderr. With an engine selected (fastscore use) or --url: load the model into that engine and attach the streams instead " +
            "(--local runs here anyway). " + ExitCodes)
        {
            model, streams, assembly, type, schemas, onError, quiet, maxRejected, stopTimeout, progressMode, progressInterval, rejects, local, wait,
        };
        connection.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            if (!parse.GetValue(local) && (connection.GivenUrl(parse) ?? UseCommand.SelectedEngine(io)) is not null)
            {
                if (parse.GetValue(assembly) is not null)
                {
                    io.Error.WriteLine("--assembly: an engine loads models by name (a built-in, or one of its library: fastscore model add); use --local to run the assembly here.");
                    return Task.FromResult(Usage);
                }

                SlotMap<string>? slots = ParseSlots(parse.GetValue(streams)!, io.Error);
                return slots is null ? Task.FromResult(Usage)
                    : connection.Connect(parse, io) is { } client ? EngineJobCommands.RunOnEngineAsync(io, client, parse.GetValue(model)!, slots, parse.GetValue(wait), parse.GetValue(quiet), ct)
                    : Task.FromResult(Usage);
            }

            return RunAsync(io, parse.GetValue(model)!, parse.GetValue(streams)!, parse.GetValue(assembly), parse.GetValue(type),
                parse.GetValue(schemas), parse.GetValue(onError), parse.GetValue(quiet), parse.GetValue(maxRejected), parse.GetValue(stopTimeout),
                (parse.GetValue(progressMode), parse.GetValue(progressInterval)), parse.GetValue(rejects), ct);
        });
        return command;
    }

    /// <summary>Parses <c>stream0 stream1 [slot=stream ...]</c> into slot → text.</summary>
    public static SlotMap<string>? ParseSlots(string[] streams, TextWriter error)
    {
        var slots = new SlotMap<string>();
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
        string? schemasDirectory, ModelErrorPolicy onError, bool quiet, string? maxRejected, double stopTimeout,
        (ProgressMode Mode, double? Interval) progressSettings, string? rejectsText, CancellationToken cancellationToken)
    {
        if (progressSettings.Interval is { } seconds && !(seconds is >= 0.05 and <= 86_400))
        {
            io.Error.WriteLine("--progress-interval must be a number of seconds from 0.05 to 86400.");
            return Usage;
        }

        if (!(stopTimeout >= 0) || stopTimeout > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            io.Error.WriteLine("--stop-timeout must be a number of seconds, 0 or more.");
            return Usage;
        }

        (long? Records, double? Percent) limit = default;
        if (maxRejected is not null && !TryParseLimit(maxRejected, out limit))
        {
            io.Error.WriteLine($"--max-rejected: expected a number of records (e.g. 100) or a percentage of the records read (e.g. 5%); found '{maxRejected}'.");
            return Usage;
        }

        IModel model;
        try
        {
            model = ModelLoader.Load(modelName, assemblyPath, typeName, CliLibrary.For(io));
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or BadImageFormatException or TypeLoadException)
        {
            io.Error.WriteLine(ex.Message);
            return Usage;
        }

        StartupTrace.Mark("model loaded");
        SlotMap<string>? slots = ParseSlots(streamArgs, io.Error);
        if (slots is null)
        {
            return Usage;
        }

        StreamDescriptorOptions descriptorOptions;
        try
        {
            descriptorOptions = CliStreams.DescriptorOptions(io, schemasDirectory);
        }
        catch (Exception ex) when (ex is StreamException or IOException)
        {
            io.Error.WriteLine(ex.Message);
            return Usage;
        }

        StartupTrace.Mark("descriptor options");
        var descriptors = new SlotMap<StreamDescriptor>();
        foreach ((int slot, string text) in slots)
        {
            StreamDescriptor? descriptor = CliStreams.Read(io, text, descriptorOptions, io.Error);
            if (descriptor is null)
            {
                return Failed;
            }

            descriptors[slot] = descriptor;
        }

        bool rest = false;
        foreach ((_, StreamDescriptor descriptor) in descriptors)
        {
            rest |= descriptor.Transport is RestTransportDescriptor;
        }

        if (rest)
        {
            (model as IDisposable)?.Dispose();
            return await ServeCommand.ServeForRunAsync(io, modelName, streamArgs, assemblyPath, typeName, schemasDirectory, onError, quiet, cancellationToken).ConfigureAwait(false);
        }

        StreamDescriptor? rejects = null;
        if (rejectsText is not null)
        {
            rejects = CliStreams.Read(io, rejectsText, descriptorOptions, io.Error);
            if (rejects is null)
            {
                return Failed;
            }
        }

        var options = new EngineOptions
        {
            Rejects = rejects,
            OnModelError = onError,
            MaxRejectedRecords = limit.Records,
            MaxRejectedPercent = limit.Percent,
            FailWhenEveryRecordIsRejected = true,
            ConsoleInput = io.StandardInput,
            ConsoleOutput = io.StandardOutput,
            SchemaLookup = descriptorOptions.SchemaLibrary is { } library ? name => library.TryGetSchemaJson(name, out string? json) ? json : null : null,
            StopTimeout = TimeSpan.FromSeconds(stopTimeout),
        };
        StartupTrace.Mark("descriptors read");
        var logging = new CliLogging(io.Error); // transports' warnings (e.g. an unreachable broker) as they happen
        await using var engine = new ScoringEngine(CliStreams.CreateFactory(logging), options, logging);
        try
        {
            StartupTrace.Mark("engine created");
            engine.LoadModel(model, modelName);
            StartupTrace.Mark("model bound");
            foreach ((int slot, StreamDescriptor descriptor) in descriptors)
            {
                engine.Attach(slot, descriptor, slots[slot]);
            }

            StartupTrace.Mark("streams attached");
            engine.Start();
            StartupTrace.Mark("engine started");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or StreamException)
        {
            io.Error.WriteLine(CliApp.UserMessage(ex));
            return Failed;
        }

        EngineState final;
        using (RunProgress.Start(progressSettings.Mode, io.IsTerminal, quiet, engine, io.Error,
            progressSettings.Interval is { } interval ? TimeSpan.FromSeconds(interval) : null))
        {
            final = await engine.RunAsync(cancellationToken).ConfigureAwait(false);
        }

        StartupTrace.Mark("run finished");
        EngineInspection inspection = engine.Inspect();
        bool undelivered = inspection.Slots.Any(s => s.Undelivered > 0); // never a success when records were lost on the way out
        int exit = final != EngineState.Finished || undelivered ? Failed : inspection.Stopped ? Stopped : Finished;
        if (!quiet)
        {
            io.Error.Write(InspectionFormatter.Format(inspection, reportStop: true));
        }
        else if (exit != Finished)
        {
            io.Error.Write(InspectionFormatter.FormatOutcome(inspection)); // -q never hides why a run failed or stopped
        }

        (model as IDisposable)?.Dispose();
        return exit;
    }

    /// <summary>Parses <c>--max-rejected</c>: a number of records (<c>100</c>) or a percentage (<c>5%</c>, <c>0.5%</c>).</summary>
    internal static bool TryParseLimit(string text, out (long? Records, double? Percent) limit)
    {
        limit = default;
        string value = text.Trim();
        if (value.EndsWith('%'))
        {
            if (double.TryParse(value.AsSpan(0, value.Length - 1).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double percent) && percent is >= 0 and <= 100)
            {
                limit = (null, percent);
                return true;
            }

            return false;
        }

        if (long.TryParse(value.Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out long records))
        {
            limit = (records, null);
            return true;
        }

        return false;
    }
}
