using FastScore.Streams;
using FastScore.Streams.Descriptors;

namespace FastScore.Cli;

/// <summary>What every command shares: the stream factory with every package the CLI ships, and descriptor reading.</summary>
internal static class CliStreams
{
    /// <summary>The components of every package the CLI ships (S3, Kafka, ODBC, REST): descriptors are read, verified and run with these.</summary>
    public static ComponentRegistry Components { get; } = CreateFactoryOptions(withRest: true).Components;

    /// <summary>A factory for <c>run</c> and <c>stream sample</c>: every package but REST, which only <c>serve</c> (with its HTTP server) adds.</summary>
    public static StreamFactory CreateFactory(Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null) =>
        new(CreateFactoryOptions(withRest: false), loggerFactory: loggerFactory);

    /// <summary>Registers the packages the CLI ships.</summary>
    public static StreamFactoryOptions CreateFactoryOptions(bool withRest)
    {
        var options = new StreamFactoryOptions();
        options.AddS3();
        options.AddKafka();
        options.AddOdbc();
        if (withRest)
        {
            _ = Streams.Rest.RestStreamFactoryOptionsExtensions.AddRestTransport(options);
        }

        return options;
    }

    /// <summary>Reads a descriptor file or expands a literal; prints every error and returns null when invalid.</summary>
    /// <remarks>A name of the library (<c>fastscore stream add</c>) stands for its descriptor, unless a file of that name exists.</remarks>
    public static StreamDescriptor? Read(CliIo io, string text, StreamDescriptorOptions options, TextWriter error)
    {
        try
        {
            return StreamDescriptor.FromArgument(CliLibrary.For(io).ResolveStream(text), options);
        }
        catch (DescriptorException ex)
        {
            error.WriteLine($"{text}: invalid stream descriptor");
            foreach (DescriptorError e in ex.Errors)
            {
                error.WriteLine($"  {e}");
            }

            return null;
        }
    }

    /// <summary>How descriptors are read: every package's components; <c>$ref</c> schemas from the library and <c>--schemas</c>.</summary>
    public static StreamDescriptorOptions DescriptorOptions(CliIo io, string? schemasDirectory) =>
        new() { Components = Components, SchemaLibrary = CliLibrary.For(io).Schemas(schemasDirectory) };
}
