using System.CommandLine;
using FastScore.Cli.Commands;

namespace FastScore.Cli;

/// <summary>The fastscore command line: builds the command tree and runs it.</summary>
internal static class CliApp
{
    /// <summary>The variable that lists assemblies of third-party components to load, as <c>--components</c> does.</summary>
    public const string ComponentsVariable = "FASTSCORE_COMPONENTS";

    /// <summary>Runs the command line with the given arguments, writing to the given writers.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, new CliIo(stdout, stderr, Stream.Null, Stream.Null, IsTerminal: false), cancellationToken);

    /// <summary>Runs the command line with the given standard streams.</summary>
    /// <remarks>
    /// Nothing a user gives the command line (arguments, descriptors, records, URLs) ends in a stack trace: whatever a
    /// command throws is caught here and printed as one line, <c>error: reason</c>, with exit code 1.
    /// </remarks>
    public static async Task<int> RunAsync(string[] args, CliIo io, CancellationToken cancellationToken)
    {
        io = io with { Error = io.Error as SafeTextWriter ?? new SafeTextWriter(io.Error) }; // no secret inside a URL reaches stderr
        RootCommand root = BuildRoot(io, args.Length > 0 ? args[0] : null);
        var components = new Option<string[]>("--components")
        {
            Description = $"Load a third party's stream components (transports, envelopes, encodings) from this assembly (.dll); repeatable. Also {ComponentsVariable} (paths separated by '{Path.PathSeparator}').",
            Recursive = true,
            AllowMultipleArgumentsPerToken = false,
        };
        root.Options.Add(components);
        StartupTrace.Mark("commands built");
        ParseResult parse = root.Parse(args);
        StartupTrace.Mark("parsed");
        var config = new InvocationConfiguration { Output = io.Out, Error = io.Error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            CliStreams.ResetComponents();
            if (parse.Errors.Count == 0)
            {
                string[] assemblies = [.. (io.GetVariable(ComponentsVariable) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    .. parse.GetValue(components) ?? []];
                foreach (string assembly in assemblies)
                {
                    try
                    {
                        _ = CliStreams.LoadComponents(assembly);
                    }
                    catch (ArgumentException ex)
                    {
                        await io.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                        return 2;
                    }
                }
            }

            int exit = await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
            return parse.Errors.Count > 0 ? 2 : exit; // a command line that does not parse is a usage error, as the commands' own usage errors are
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await io.Error.WriteLineAsync("error: stopped before the command finished.").ConfigureAwait(false);
            return 1;
        }
#pragma warning disable CA1031 // the command line's last line of defence: every failure becomes a one-line reason
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await io.Error.WriteLineAsync($"error: {OneLine(ex)}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>An exception as one line: its message (and its inner exceptions'), without a stack trace.</summary>
    internal static string OneLine(Exception exception)
    {
        string message = exception is Streams.StreamException or ArgumentException or IOException or UnauthorizedAccessException or FormatException or HttpRequestException
            ? UserMessage(exception)
            : $"{exception.Message} ({exception.GetType().Name})";
        if (exception.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message += ": " + inner.Message;
        }

        return string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>An exception's message for a user: without the " (Parameter 'name')" that <see cref="ArgumentException"/> appends.</summary>
    internal static string UserMessage(Exception exception) =>
        exception is ArgumentException { ParamName: { } name } argument
            ? argument.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
            : exception.Message;

    /// <summary>
    /// The command tree. When the first argument names a top-level verb, only that verb's command is built: a run does
    /// not pay for creating the other verbs' options (System.CommandLine's <c>Option&lt;T&gt;</c> instantiations are
    /// JIT-compiled at start-up). Help, errors and suggestions inside that verb do not depend on its siblings; any other
    /// first argument (none, an option, a misspelled verb) gets the whole tree, so root help and "did you mean" stay whole.
    /// </summary>
    private static RootCommand BuildRoot(CliIo io, string? verb)
    {
        var root = new RootCommand("fastscore: verify, sample, run and serve FastScore streams and models.");
        (string Name, Func<CliIo, Command> Create)[] verbs =
        [
            ("stream", CreateStream),
            ("schema", CreateSchema),
            ("use", UseCommand.Create),
            ("run", RunCommand.Create),
            ("serve", ServeCommand.Create),
            ("model", CreateModel),
            ("engine", CreateEngine),
            ("stats", StatsCommand.Create),
            ("test", TestCommand.Create),
        ];
        foreach ((string name, Func<CliIo, Command> create) in verbs)
        {
            if (string.Equals(verb, name, StringComparison.Ordinal))
            {
                root.Subcommands.Add(create(io));
                return root;
            }
        }

        foreach ((_, Func<CliIo, Command> create) in verbs)
        {
            root.Subcommands.Add(create(io));
        }

        return root;
    }

    private static Command CreateStream(CliIo io)
    {
        var stream = new Command("stream", "Stream descriptors: verify, sample; the library (add, show, list, remove); a running engine's streams (attach, detach, inspect).");
        stream.Subcommands.Add(StreamVerifyCommand.Create(io));
        stream.Subcommands.Add(StreamSampleCommand.Create(io));
        EngineControlCommands.AddStreamVerbs(stream, io);
        LibraryCommands.AddStreamVerbs(stream, io);
        return stream;
    }

    private static Command CreateSchema(CliIo io)
    {
        Command schema = SchemaCommands.Create(io);
        LibraryCommands.AddSchemaVerbs(schema, io);
        return schema;
    }

    private static Command CreateModel(CliIo io)
    {
        Command model = ModelDataCommands.Create(io);
        LibraryCommands.AddModelVerbs(model, io);
        EngineJobCommands.AddModelLoad(model, io);
        return model;
    }

    private static Command CreateEngine(CliIo io)
    {
        Command engine = EngineInspectCommand.Create(io);
        EngineControlCommands.AddEngineVerbs(engine, io);
        EngineJobCommands.AddEnginePut(engine, io);
        return engine;
    }
}
