using System.CommandLine;

namespace FastScore.Cli.Commands;

/// <summary>
/// <c>fastscore use [URL]</c>: selects the engine that the verbs talking to an engine use when no <c>--url</c> is given,
/// and remembers it in the file <c>engine</c> of the CLI's folder: <c>$FASTSCORE_HOME</c>, else <c>.fastscore/</c> in the
/// working directory (plain text, so it can live in git). Without a URL it prints the selected engine.
/// </summary>
internal static class UseCommand
{
    /// <summary>The variable that names the CLI's folder.</summary>
    public const string HomeVariable = CliLibrary.HomeVariable;

    public static Command Create(CliIo io)
    {
        var url = new Argument<string?>("url") { Description = "The engine's base URL, e.g. http://127.0.0.1:8003 or https://host:8000/api/1/service/engine-1.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("use", $"Select the engine that engine, stream and model verbs talk to when no --url is given (saved in ${HomeVariable}/engine or .fastscore/engine).") { url };
        command.SetAction(parse => Use(io, parse.GetValue(url)));
        return command;
    }

    /// <summary>The CLI's folder: <c>$FASTSCORE_HOME</c>, else <c>.fastscore</c> in the working directory.</summary>
    public static string Home(CliIo io) => CliLibrary.For(io).Home;

    /// <summary>The selected engine's URL, or null when none was selected.</summary>
    public static string? SelectedEngine(CliIo io)
    {
        string file = Path.Combine(Home(io), "engine");
        try
        {
            return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } url ? url : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int Use(CliIo io, string? url)
    {
        string file = Path.Combine(Home(io), "engine");
        if (url is null)
        {
            io.Out.WriteLine(SelectedEngine(io) is { } selected ? $"{selected} (from {file})" : $"{ServeCommand.DefaultUrl} (the default; none selected in {file})");
            return 0;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
        {
            io.Error.WriteLine($"'{url}' is not an http:// or https:// URL.");
            return 2;
        }

        if (uri.UserInfo.Length > 0)
        {
            io.Error.WriteLine("The URL holds credentials: give them with -u / --user-file or FASTSCORE_USER instead; they are not saved in a file.");
            return 2;
        }

        try
        {
            Directory.CreateDirectory(Home(io));
            File.WriteAllText(file, url + Environment.NewLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"Cannot save the selection in {file}: {ex.Message}");
            return 1;
        }

        io.Out.WriteLine($"using the engine at {url} (saved in {file})");
        return 0;
    }
}
