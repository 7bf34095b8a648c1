using System.CommandLine;
using FastScore.Streams;
using FastScore.Streams.Descriptors;

namespace FastScore.Cli.Commands;

/// <summary>
/// <c>fastscore stream verify &lt;descriptor-file | literal&gt; [slot] [--schemas dir] [--internal]</c>: reads a descriptor,
/// prints its normalised form (every default filled in, secrets masked) and "The stream descriptor contains no errors",
/// or every error with its path. Exit code 0 when valid, 1 otherwise.
/// </summary>
internal static class StreamVerifyCommand
{
    public const string NoErrors = "The stream descriptor contains no errors";

    public static Command Create(CliIo io)
    {
        var descriptor = new Argument<string>("descriptor")
        {
            Description = "A descriptor file (JSON), or a stream literal such as rest:, file:/data/in.jsons or kafka:broker:9092/topic.json.",
        };
        var slot = new Argument<int?>("slot")
        {
            Description = "The model slot to check the stream against: even slots are inputs, odd slots are outputs.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var schemas = new Option<string?>("--schemas")
        {
            Description = "A folder of name.avsc files: {\"$ref\": name} schemas are resolved and checked against it.",
        };
        var internalForm = new Option<bool>("--internal")
        {
            Description = "Print FastScore's internal lower snake_case form instead of the descriptor form.",
        };

        var command = new Command("verify", "Verify a stream descriptor and print it with every default filled in.");
        command.Arguments.Add(descriptor);
        command.Arguments.Add(slot);
        command.Options.Add(schemas);
        command.Options.Add(internalForm);
        command.SetAction(parse => Run(io,
            parse.GetRequiredValue(descriptor), parse.GetValue(slot), parse.GetValue(schemas), parse.GetValue(internalForm)));
        return command;
    }

    private static int Run(CliIo io, string text, int? slot, string? schemaFolder, bool internalForm)
    {
        TextWriter stdout = io.Out, stderr = io.Error;
        CliLibrary library = CliLibrary.For(io);
        if (slot is < 0)
        {
            stderr.WriteLine($"Invalid slot {slot}: slots are 0, 1, 2, ... (even slots are inputs, odd slots are outputs).");
            return 1;
        }

        var options = new StreamDescriptorOptions { Components = CliStreams.Components };
        try
        {
            options.SchemaLibrary = library.Schemas(schemaFolder);
        }
        catch (DirectoryNotFoundException ex)
        {
            stderr.WriteLine($"--schemas: {ex.Message}");
            return 1;
        }
        catch (DescriptorException ex)
        {
            stderr.WriteLine(ex.Message);
            return 1;
        }

        StreamDescriptor stream;
        try
        {
            stream = StreamDescriptor.FromArgument(library.ResolveStream(text), options);
        }
        catch (DescriptorException ex)
        {
            stderr.WriteLine(ex.Message);
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"Cannot read {text}: {ex.Message}");
            return 1;
        }

        if (slot is { } s)
        {
            IReadOnlyList<DescriptorError> slotErrors = stream.CheckSlot(s);
            if (slotErrors.Count > 0)
            {
                stderr.WriteLine(new DescriptorException(slotErrors, $"slot {s}").Message);
                return 1;
            }
        }

        foreach (DescriptorError warning in stream.Warnings)
        {
            stderr.WriteLine($"Warning: {warning}");
        }

        stdout.WriteLine(internalForm ? stream.ToInternalJson() : stream.ToDisplayJson());
        // The descriptor is valid; can this CLI run it? Every component must have a provider that can create it.
        StreamFactoryOptions factoryOptions = CliStreams.CreateFactoryOptions(withRest: true);
        factoryOptions.SchemaLibrary = options.SchemaLibrary;
        bool input = slot is { } n ? n % 2 == 0 : stream.Transport.CanRead;
        try
        {
            new StreamFactory(factoryOptions).Validate(stream, input);
        }
        catch (DescriptorException ex)
        {
            // A part no registered provider creates, or a field the slot's direction needs (a UDP output's Host).
            string where = slot is { } at ? $" in slot {at} (an {(input ? "input" : "output")})" : string.Empty;
            stderr.WriteLine(new DescriptorException(ex.Errors, $"it is valid, but this fastscore cannot run it{where}").Message);
            return 1;
        }

        stdout.WriteLine(NoErrors);
        return 0;
    }
}
