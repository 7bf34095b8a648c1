using System.CommandLine;
using FastScore.Cli.Commands;

namespace FastScore.Cli;

/// <summary>The fastscore command line: builds the command tree and runs it.</summary>
internal static class CliApp
{
    /// <summary>Runs the command line with the given arguments, writing to the given writers.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        RootCommand root = BuildRoot(stdout, stderr);
        ParseResult parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
    }

    private static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("fastscore: verify, sample, run and serve FastScore streams and models.");
        var stream = new Command("stream", "Stream descriptors: verify, sample.");
        stream.Subcommands.Add(StreamVerifyCommand.Create(stdout, stderr));
        root.Subcommands.Add(stream);
        return root;
    }
}
