namespace FastScore.Cli;

/// <summary>The CLI's standard streams, replaceable in tests.</summary>
/// <param name="Out">Text output (stdout).</param>
/// <param name="Error">Messages and summaries (stderr).</param>
/// <param name="StandardInput">The byte stream the <c>console</c> transport reads.</param>
/// <param name="StandardOutput">The byte stream the <c>console</c> transport writes.</param>
/// <param name="IsTerminal">Whether stderr is an interactive terminal (live progress is shown only then).</param>
/// <param name="Environment">Reads environment variables (the process's by default).</param>
internal sealed record CliIo(TextWriter Out, TextWriter Error, Stream StandardInput, Stream StandardOutput, bool IsTerminal,
    Func<string, string?>? Environment = null)
{
    /// <summary>Reads an environment variable.</summary>
    public string? GetVariable(string name) => (Environment ?? System.Environment.GetEnvironmentVariable)(name);

    public static CliIo Console() => new(
        System.Console.Out, System.Console.Error, System.Console.OpenStandardInput(), System.Console.OpenStandardOutput(),
        !System.Console.IsErrorRedirected);
}
