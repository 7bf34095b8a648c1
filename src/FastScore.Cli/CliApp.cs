using System.CommandLine;
using FastScore.Cli.Commands;

namespace FastScore.Cli;

/// <summary>The fastscore command line: builds the command tree and runs it.</summary>
internal static class CliApp
{
    /// <summary>Runs the command line with the given arguments, writing to the given writers.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, new CliIo(stdout, stderr, Stream.Null, Stream.Null, IsTerminal: false), cancellationToken);

    /// <summary>Runs the command line with the given standard streams.</summary>
    public static async Task<int> RunAsync(string[] args, CliIo io, CancellationToken cancellationToken)
    {
        io = io with { Error = io.Error as SafeTextWriter ?? new SafeTextWriter(io.Error) }; // no secret inside a URL reaches stderr
        RootCommand root = BuildRoot(io);
        ParseResult parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = io.Out, Error = io.Error, ProcessTerminationTimeout = null };
        int exit = await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        return parse.Errors.Count > 0 ? 2 : exit; // a command line that does not parse is a usage error, as the commands' own usage errors are

    }

    private static RootCommand BuildRoot(CliIo io)
    {
        var root = new RootCommand("fastscore: verify, sample, run and serve FastScore streams and models.");
        var stream = new Command("stream", "Stream descriptors: verify, sample.");
        stream.Subcommands.Add(StreamVerifyCommand.Create(io.Out, io.Error));
        stream.Subcommands.Add(StreamSampleCommand.Create(io));
        root.Subcommands.Add(stream);
        root.Subcommands.Add(RunCommand.Create(io));
        root.Subcommands.Add(ServeCommand.Create(io));
        root.Subcommands.Add(ModelDataCommands.Create(io));
        root.Subcommands.Add(EngineInspectCommand.Create(io));
        return root;
    }
}
