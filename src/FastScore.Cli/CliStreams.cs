using FastScore.Streams;
using FastScore.Streams.Descriptors;

namespace FastScore.Cli;

/// <summary>What every command shares: the stream factory with every transport the CLI ships, and descriptor reading.</summary>
internal static class CliStreams
{
    public static StreamFactory CreateFactory(Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var options = new StreamFactoryOptions();
        options.AddS3();
        options.AddKafka();
        return new StreamFactory(options, loggerFactory: loggerFactory);
    }

    /// <summary>Reads a descriptor file or expands a literal; prints every error and returns null when invalid.</summary>
    public static StreamDescriptor? Read(string text, StreamDescriptorOptions options, TextWriter error)
    {
        try
        {
            return StreamDescriptor.FromArgument(text, options);
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

    public static StreamDescriptorOptions DescriptorOptions(string? schemasDirectory) =>
        schemasDirectory is null ? StreamDescriptorOptions.Default : new StreamDescriptorOptions { SchemaLibrary = SchemaLibrary.FromDirectory(schemasDirectory) };
}
