using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastScore.Streams.Descriptors;

namespace FastScore.Cli.Commands;

/// <summary>
/// The library of named streams, schemas and models (FastScore's Model Manage as plain files, see <see cref="CliLibrary"/>):
/// <c>stream|schema|model add|show|list|remove</c>. A name resolves wherever a stream, a <c>{"$ref": name}</c> schema or
/// a model is accepted. Adding never replaces an entry unless <c>--force</c> is given.
/// </summary>
internal static class LibraryCommands
{
    /// <summary>Adds <c>add</c>, <c>show</c>, <c>list</c> and <c>remove</c> to the <c>stream</c> command.</summary>
    public static void AddStreamVerbs(Command stream, CliIo io)
    {
        var name = new Argument<string>("name") { Description = "The stream's name in the library." };
        var source = new Argument<string?>("file") { Description = "A descriptor file, '-' for standard input (the default), descriptor JSON or a literal (file:data.jsons, kafka:broker:9092/topic).", Arity = ArgumentArity.ZeroOrOne };
        var force = ForceOption();
        var add = new Command("add", "Add a stream descriptor to the library (validated; an existing one is replaced only with --force).") { name, source, force };
        add.SetAction(parse => AddStream(io, parse.GetValue(name)!, parse.GetValue(source), parse.GetValue(force)));
        stream.Subcommands.Add(add);

        var showName = new Argument<string>("name") { Description = "The stream's name." };
        var show = new Command("show", "Print a stream of the library, every default filled in and secrets masked.") { showName };
        show.SetAction(parse => ShowStream(io, parse.GetValue(showName)!));
        stream.Subcommands.Add(show);

        AddListAndRemove(stream, io, "stream", lib => lib.StreamsFolder, ".json");
    }

    /// <summary>Adds <c>add</c>, <c>show</c>, <c>list</c> and <c>remove</c> to the <c>schema</c> command.</summary>
    public static void AddSchemaVerbs(Command schema, CliIo io)
    {
        var name = new Argument<string>("name") { Description = "The schema's name ({\"$ref\": name} in a descriptor)." };
        var source = new Argument<string?>("file") { Description = "A .avsc file, '-' for standard input (the default), or the schema JSON.", Arity = ArgumentArity.ZeroOrOne };
        var force = ForceOption();
        var add = new Command("add", "Add an Avro schema to the library (validated; an existing one is replaced only with --force).") { name, source, force };
        add.SetAction(parse => AddSchema(io, parse.GetValue(name)!, parse.GetValue(source), parse.GetValue(force)));
        schema.Subcommands.Add(add);

        var showName = new Argument<string>("name") { Description = "The schema's name." };
        var show = new Command("show", "Print a schema of the library.") { showName };
        show.SetAction(parse => ShowFile(io, "schema", showName, parse, lib => lib.SchemaFile(parse.GetValue(showName)!)));
        schema.Subcommands.Add(show);

        AddListAndRemove(schema, io, "schema", lib => lib.SchemasFolder, ".avsc");
    }

    /// <summary>Adds <c>add</c>, <c>show</c>, <c>list</c> and <c>remove</c> to the <c>model</c> command.</summary>
    public static void AddModelVerbs(Command model, CliIo io)
    {
        var name = new Argument<string>("name") { Description = "The model's name in the library." };
        var assembly = new Option<string>("--assembly") { Description = "The assembly (.dll) holding the model.", Required = true };
        var type = new Option<string>("--type") { Description = "The model's type (Namespace.Type or Type).", Required = true };
        var force = ForceOption();
        var add = new Command("add", "Add your model to the library: its assembly and type (checked by loading it; an existing entry is replaced only with --force).") { name, assembly, type, force };
        add.SetAction(parse => AddModel(io, parse.GetValue(name)!, parse.GetValue(assembly)!, parse.GetValue(type)!, parse.GetValue(force)));
        model.Subcommands.Add(add);

        var showName = new Argument<string>("name") { Description = "The model's name." };
        var show = new Command("show", "Print a model of the library (its assembly and type) or say that it is built in.") { showName };
        show.SetAction(parse =>
        {
            string n = parse.GetValue(showName)!;
            if (ModelLoader.BuiltIns.ContainsKey(n))
            {
                io.Out.WriteLine($"{n}: built in");
                return 0;
            }

            return ShowFile(io, "model", showName, parse, lib => lib.ModelFile(n));
        });
        model.Subcommands.Add(show);

        var list = new Command("list", "List the built-in models and the library's.");
        list.SetAction(parse =>
        {
            foreach (string builtIn in ModelLoader.BuiltIns.Keys.Order(StringComparer.Ordinal))
            {
                io.Out.WriteLine($"{builtIn}\t(built in)");
            }

            CliLibrary library = CliLibrary.For(io);
            foreach (string n in CliLibrary.Names(library.ModelsFolder, ".json"))
            {
                io.Out.WriteLine(n);
            }

            return 0;
        });
        model.Subcommands.Add(list);
        model.Subcommands.Add(RemoveCommand(io, "model", lib => lib.ModelsFolder, ".json"));
    }

    private static Option<bool> ForceOption() => new("--force") { Description = "Replace an entry of the same name." };

    private static void AddListAndRemove(Command parent, CliIo io, string what, Func<CliLibrary, string> folder, string extension)
    {
        var list = new Command("list", $"List the {what}s of the library.");
        list.SetAction(parse =>
        {
            foreach (string n in CliLibrary.Names(folder(CliLibrary.For(io)), extension))
            {
                io.Out.WriteLine(n);
            }

            return 0;
        });
        parent.Subcommands.Add(list);
        parent.Subcommands.Add(RemoveCommand(io, what, folder, extension));
    }

    private static Command RemoveCommand(CliIo io, string what, Func<CliLibrary, string> folder, string extension)
    {
        var name = new Argument<string>("name") { Description = $"The {what}'s name." };
        var remove = new Command("remove", $"Remove a {what} from the library.") { name };
        remove.SetAction(parse =>
        {
            string n = parse.GetValue(name)!;
            if (CliLibrary.NameProblem(n) is { } problem)
            {
                io.Error.WriteLine(problem);
                return 2;
            }

            string file = Path.Combine(folder(CliLibrary.For(io)), n + extension);
            if (!File.Exists(file))
            {
                io.Error.WriteLine($"No {what} named '{n}' in the library ({file} does not exist).");
                return 1;
            }

            File.Delete(file);
            io.Out.WriteLine($"{what} '{n}' removed");
            return 0;
        });
        return remove;
    }

    private static int ShowFile(CliIo io, string what, Argument<string> nameArgument, ParseResult parse, Func<CliLibrary, string> file)
    {
        string n = parse.GetValue(nameArgument)!;
        if (CliLibrary.NameProblem(n) is { } problem)
        {
            io.Error.WriteLine(problem);
            return 2;
        }

        string path = file(CliLibrary.For(io));
        if (!File.Exists(path))
        {
            io.Error.WriteLine($"No {what} named '{n}' in the library ({path} does not exist).");
            return 1;
        }

        io.Out.Write(File.ReadAllText(path));
        return 0;
    }

    /// <summary>The text a source argument gives: a file's content, standard input for '-' or no argument, else the text itself.</summary>
    private static string? ReadSource(CliIo io, string? source, out bool isText)
    {
        isText = false;
        if (source is null or "-")
        {
            using var reader = new StreamReader(io.StandardInput, Encoding.UTF8, leaveOpen: true);
            return reader.ReadToEnd();
        }

        if (File.Exists(source))
        {
            return File.ReadAllText(source);
        }

        isText = true;
        return source;
    }

    private static int AddStream(CliIo io, string name, string? source, bool force)
    {
        if (CliLibrary.NameProblem(name) is { } problem)
        {
            io.Error.WriteLine(problem);
            return 2;
        }

        CliLibrary library = CliLibrary.For(io);
        string? text = ReadSource(io, source, out bool isText);
        if (string.IsNullOrWhiteSpace(text))
        {
            io.Error.WriteLine($"No descriptor given (the {(source is null or "-" ? "standard input" : "file")} is empty).");
            return 2;
        }

        StreamDescriptor descriptor;
        try
        {
            if (isText && !text.TrimStart().StartsWith('{'))
            {
                // a literal is stored as the descriptor JSON it stands for (a relative file: path made absolute, as when it is run)
                descriptor = StreamDescriptor.FromArgument(text, new StreamDescriptorOptions { Components = CliStreams.Components });
                text = descriptor.ToJson();
            }
            else
            {
                descriptor = StreamDescriptor.FromArgument(text.Trim(), new StreamDescriptorOptions { Components = CliStreams.Components });
            }
        }
        catch (DescriptorException ex)
        {
            io.Error.WriteLine($"{source ?? "standard input"}: invalid stream descriptor, not added");
            foreach (DescriptorError e in ex.Errors)
            {
                io.Error.WriteLine($"  {e}");
            }

            return 1;
        }

        if (descriptor.Schema is { Kind: SchemaKind.Reference, Name: { } schemaName } && !new SchemaLibrary().TryGetSchema(schemaName, out _)
            && !File.Exists(library.SchemaFile(schemaName)))
        {
            io.Error.WriteLine($"Warning: its schema {{\"$ref\": \"{schemaName}\"}} is not in the library yet (add it with fastscore schema add {schemaName} FILE).");
        }

        if (CliLibrary.Write(library.StreamFile(name), text, force, $"A stream named '{name}'") is { } refused)
        {
            io.Error.WriteLine(refused);
            return 1;
        }

        io.Out.WriteLine($"stream '{name}' added ({library.StreamFile(name)})");
        return 0;
    }

    private static int ShowStream(CliIo io, string name)
    {
        if (CliLibrary.NameProblem(name) is { } problem)
        {
            io.Error.WriteLine(problem);
            return 2;
        }

        CliLibrary library = CliLibrary.For(io);
        string file = library.StreamFile(name);
        if (!File.Exists(file))
        {
            io.Error.WriteLine($"No stream named '{name}' in the library ({file} does not exist).");
            return 1;
        }

        try
        {
            io.Out.WriteLine(StreamDescriptor.FromArgument(file, new StreamDescriptorOptions { Components = CliStreams.Components }).ToDisplayJson());
            return 0;
        }
        catch (DescriptorException ex)
        {
            io.Error.WriteLine(ex.Message);
            return 1;
        }
    }

    private static int AddSchema(CliIo io, string name, string? source, bool force)
    {
        if (CliLibrary.NameProblem(name) is { } problem)
        {
            io.Error.WriteLine(problem);
            return 2;
        }

        string? text = ReadSource(io, source, out _);
        if (string.IsNullOrWhiteSpace(text))
        {
            io.Error.WriteLine("No schema given (empty).");
            return 2;
        }

        try
        {
            _ = new SchemaLibrary().Register(name, text);
        }
        catch (DescriptorException ex)
        {
            io.Error.WriteLine($"invalid Avro schema, not added: {string.Join("; ", ex.Errors.Select(e => e.Message))}");
            return 1;
        }

        CliLibrary library = CliLibrary.For(io);
        if (CliLibrary.Write(library.SchemaFile(name), text, force, $"A schema named '{name}'") is { } refused)
        {
            io.Error.WriteLine(refused);
            return 1;
        }

        io.Out.WriteLine($"schema '{name}' added ({library.SchemaFile(name)})");
        return 0;
    }

    private static int AddModel(CliIo io, string name, string assembly, string type, bool force)
    {
        if (CliLibrary.NameProblem(name) is { } problem)
        {
            io.Error.WriteLine(problem);
            return 2;
        }

        if (ModelLoader.BuiltIns.ContainsKey(name))
        {
            io.Error.WriteLine($"'{name}' is a built-in model; choose another name.");
            return 2;
        }

        try
        {
            (ModelLoader.Load(type, assembly, type) as IDisposable)?.Dispose(); // it must load now, not at the first run
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or BadImageFormatException or TypeLoadException or MissingMethodException or System.Reflection.TargetInvocationException)
        {
            io.Error.WriteLine($"not added: {CliApp.OneLine(ex)}");
            return 1;
        }

        CliLibrary library = CliLibrary.For(io);
        string relative = Path.GetRelativePath(library.Home, Path.GetFullPath(assembly)); // relative to the folder, so it can live in git
        string json = new JsonObject { ["Assembly"] = relative, ["Type"] = type }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (CliLibrary.Write(library.ModelFile(name), json, force, $"A model named '{name}'") is { } refused)
        {
            io.Error.WriteLine(refused);
            return 1;
        }

        io.Out.WriteLine($"model '{name}' added ({library.ModelFile(name)})");
        return 0;
    }
}
