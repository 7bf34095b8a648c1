using FastScore.Streams.Descriptors;
using Microsoft.Extensions.Configuration;

namespace FastScore.Streams;

/// <summary>One registration of named streams (one <c>AddStream</c>, or one configuration section), read when the catalog is built.</summary>
/// <param name="read">Lists the names and how to build each descriptor, given the services and the descriptor-reading options.</param>
internal sealed class NamedStreamSource(Func<IServiceProvider, StreamDescriptorOptions, IEnumerable<NamedStreamSource.Entry>> read)
{
    /// <summary>Lists the streams of this registration.</summary>
    public IEnumerable<Entry> Read(IServiceProvider services, StreamDescriptorOptions options) => read(services, options);

    /// <summary>A stream of a code registration.</summary>
    public static NamedStreamSource Single(string name, Func<StreamDescriptorOptions, StreamDescriptor> build) =>
        new((_, options) => [new Entry(name, () => build(options))]);

    /// <summary>One stream per child key of a configuration section.</summary>
    public static NamedStreamSource Configuration(Func<IServiceProvider, IConfiguration> section) =>
        new((services, options) => ReadSection(section(services), options));

    private static IEnumerable<Entry> ReadSection(IConfiguration section, StreamDescriptorOptions options)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            yield return new Entry(child.Key, () => ReadChild(child, options));
        }
    }

    private static StreamDescriptor ReadChild(IConfigurationSection child, StreamDescriptorOptions options)
    {
        if (child.Value is not { } text || child.GetChildren().Any())
        {
            return StreamDescriptor.FromConfiguration(child, options);
        }

        // "name": "kafka:broker:9092/topic.json" (a literal), "streams/in.json" (a file) or "{...}" (JSON text)
        try
        {
            return StreamDescriptor.FromArgument(text, options);
        }
        catch (DescriptorException ex)
        {
            string origin = ex.Origin is null ? $"configuration section '{child.Path}'" : $"configuration section '{child.Path}', {ex.Origin}";
            throw new DescriptorException(ex.Errors, origin);
        }
    }

    /// <summary>A named stream and how to build its descriptor.</summary>
    internal readonly record struct Entry(string Name, Func<StreamDescriptor> Build);
}
