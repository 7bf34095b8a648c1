using System.Text;

namespace FastScore.Cli.Tests;

/// <summary>Runs the CLI in-process with captured standard streams.</summary>
internal static class CliRunner
{
    public static string RepoRoot { get; } = FindRoot();

    public static string IrisInputs => Path.Combine(RepoRoot, "samples", "FastScore.Samples.Iris", "data", "xgboost_iris_inputs.jsons");

    public static async Task<(int Exit, string Out, string Err, string Console)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = new MemoryStream();
        int exit = await CliApp.RunAsync(args, new CliIo(stdout, stderr, Stream.Null, console, IsTerminal: false), cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString(), Encoding.UTF8.GetString(console.ToArray()));
    }

    public static Task<(int Exit, string Out, string Err, string Console)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs the CLI with <c>FASTSCORE_HOME</c> (and other variables) set for this run only, and the given standard input.</summary>
    public static async Task<(int Exit, string Out, string Err, string Console)> RunInAsync(IReadOnlyDictionary<string, string> variables, string? stdin, CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = new MemoryStream();
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? ""));
        int exit = await CliApp.RunAsync(args, new CliIo(stdout, stderr, input, console, IsTerminal: false,
            name => variables.TryGetValue(name, out string? value) ? value : Environment.GetEnvironmentVariable(name)), cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString(), Encoding.UTF8.GetString(console.ToArray()));
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastScore.Streams.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FastScore.Streams.sln not found above " + AppContext.BaseDirectory);
    }
}
