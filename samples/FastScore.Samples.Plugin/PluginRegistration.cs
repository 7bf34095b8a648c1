using System.IO.Compression;
using FastScore.Streams;
using FastScore.Streams.Descriptors;

namespace FastScore.Samples.Plugin;

/// <summary>Registers the sample's components: the <c>gzip</c> transport, the <c>netstring</c> envelope and the <c>kv</c> encoding.</summary>
public static class SamplePluginRegistration
{
    /// <summary>Adds the sample's providers to a registry (replacing any of the same names).</summary>
    /// <param name="components">The registry the descriptor reader, the literal parser and the factory share.</param>
    /// <returns>The same registry, for chaining.</returns>
    public static ComponentRegistry AddSamplePlugin(this ComponentRegistry components)
    {
        ArgumentNullException.ThrowIfNull(components);
        return components
            .Add(new GzipTransportProvider())
            .Add(new NetstringEnvelopeProvider())
            .Add(new KvEncodingProvider());
    }

    /// <summary>Adds the sample's providers to a factory's options (without dependency injection).</summary>
    /// <param name="options">The options; read descriptors with <see cref="StreamFactoryOptions.CreateDescriptorOptions"/>.</param>
    /// <returns>The same options, for chaining.</returns>
    public static StreamFactoryOptions AddSamplePlugin(this StreamFactoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Components.AddSamplePlugin();
        return options;
    }

    /// <summary>Adds the sample's providers to <c>services.AddFastScoreStreams()</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IFastScoreStreamsBuilder AddSamplePlugin(this IFastScoreStreamsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddTransport(new GzipTransportProvider())
            .AddEnvelope(new NetstringEnvelopeProvider())
            .AddEncoding(new KvEncodingProvider());
    }
}

/// <summary>The sample's builder methods: <c>StreamDescriptor.CreateBuilder(options).UseGzip(path).UseNetstring().UseKv()</c>.</summary>
public static class SamplePluginBuilderExtensions
{
    /// <summary>Uses a gzip file as the transport.</summary>
    /// <param name="builder">The builder (made with options whose registry holds the sample's providers).</param>
    /// <param name="path">The absolute path of the compressed file.</param>
    /// <param name="level">How hard an output compresses.</param>
    /// <returns>The same builder.</returns>
    public static StreamDescriptorBuilder UseGzip(this StreamDescriptorBuilder builder, string path, CompressionLevel level = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseTransport(new GzipTransportDescriptor { Path = path ?? string.Empty, Level = level });
    }

    /// <summary>Uses the netstring envelope.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="terminator">The character after each record.</param>
    /// <returns>The same builder.</returns>
    public static StreamDescriptorBuilder UseNetstring(this StreamDescriptorBuilder builder, string terminator = ",")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseEnvelope(new NetstringEnvelopeDescriptor { Terminator = terminator ?? string.Empty });
    }

    /// <summary>Uses the kv encoding (untyped: no schema).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="separator">The character between pairs.</param>
    /// <returns>The same builder.</returns>
    public static StreamDescriptorBuilder UseKv(this StreamDescriptorBuilder builder, string separator = KvEncodingDescriptor.DefaultSeparator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseEncoding(new KvEncodingDescriptor { Separator = separator ?? string.Empty }).NoSchema();
    }
}
