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
