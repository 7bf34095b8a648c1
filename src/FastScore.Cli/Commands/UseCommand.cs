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
        var target = new Argument<string?>("engine") { Description = "An engine's name (saved earlier with fastscore use NAME URL) or base URL, e.g. http://127.0.0.1:8003 or https://host:8000/api/1/service/engine-1.", Arity = ArgumentArity.ZeroOrOne };
        var url = new Argument<string?>("url") { Description = "With a name: the engine's URL, saved under that name (engines/NAME).", Arity = ArgumentArity.ZeroOrOne };
        var clear = new Option<bool>("--clear") { Description = "Forget the selection: engine verbs use the default URL, run runs in this process." };
        var command = new Command("use", $"Select the engine that engine, stream and model verbs (and run) talk to when no --url is given (saved in ${HomeVariable}/engine or .fastscore/engine); NAME URL also names it.") { target, url, clear };
        command.SetAction(parse => parse.GetValue(clear) ? Clear(io) : Use(io, parse.GetValue(target), parse.GetValue(url)));
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

    private static int Clear(CliIo io)
    {
        string file = Path.Combine(Home(io), "engine");
        File.Delete(file);
        io.Out.WriteLine($"no engine selected (run runs in this process; engine verbs use {ServeCommand.DefaultUrl})");
        return 0;
    }

    private static int Use(CliIo io, string? target, string? url)
    {
        string file = Path.Combine(Home(io), "engine");
        if (target is null)
        {
            io.Out.WriteLine(SelectedEngine(io) is { } selected ? $"{selected} (from {file})" : $"{ServeCommand.DefaultUrl} (the default; none selected in {file})");
            return 0;
        }

        CliLibrary library = CliLibrary.For(io);
        string? name = null;
        if (!target.Contains("://", StringComparison.Ordinal))
        {
            if (CliLibrary.NameProblem(target) is { } problem)
            {
                io.Error.WriteLine(problem);
                return 2;
            }

            name = target;
            if (url is null)
            {
                string saved = library.EngineFile(name);
                if (!File.Exists(saved) || File.ReadAllText(saved).Trim() is not { Length: > 0 } known)
                {
                    IReadOnlyList<string> names = CliLibrary.Names(library.EnginesFolder, "");
                    io.Error.WriteLine($"No engine named '{name}' (known: {(names.Count == 0 ? "none" : string.Join(", ", names))}); name one with fastscore use {name} URL.");
                    return 1;
                }

                url = known;
            }
        }
        else if (url is not null)
        {
            io.Error.WriteLine("Give fastscore use URL, fastscore use NAME, or fastscore use NAME URL.");
            return 2;
        }
        else
        {
            url = target;
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
            if (name is not null)
            {
                Directory.CreateDirectory(library.EnginesFolder);
                File.WriteAllText(library.EngineFile(name), url + Environment.NewLine);
            }

            File.WriteAllText(file, url + Environment.NewLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"Cannot save the selection in {file}: {ex.Message}");
            return 1;
        }

        io.Out.WriteLine(name is null ? $"using the engine at {url} (saved in {file})" : $"using the engine {name} at {url} (saved in {file})");
        return 0;
    }
}
