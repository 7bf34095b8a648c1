using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FastScore.Streams;

/// <summary>Extension methods of <see cref="IFastScoreStreamsBuilder"/>: components, schemas, named streams and hosted engines.</summary>
public static partial class FastScoreStreamsBuilderExtensions
{
    /// <summary>The configuration section <see cref="AddStreamsFromConfiguration(IFastScoreStreamsBuilder, string)"/> reads by default.</summary>
    public const string DefaultConfigurationSection = "FastScore:Streams";

    /// <summary>
    /// Registers (or replaces) a transport in the one <see cref="ComponentRegistry"/> (<see cref="StreamFactoryOptions.Components"/>):
    /// descriptors naming its type are read, checked and printed by it (the <see cref="StreamDescriptorOptions"/> in
    /// the services share the registry), its literal tags expand, and the <see cref="StreamFactory"/> creates its transports.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The provider; its <see cref="TransportProvider.Type"/> and aliases are the names.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddTransport(this IFastScoreStreamsBuilder builder, TransportProvider provider) =>
        AddComponent(builder, provider, provider?.Type, components => components.Add(provider!));

    /// <summary>Registers (or replaces) an envelope in the <see cref="ComponentRegistry"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The provider; its <see cref="EnvelopeProvider.Type"/> and aliases are the names.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddEnvelope(this IFastScoreStreamsBuilder builder, EnvelopeProvider provider) =>
        AddComponent(builder, provider, provider?.Type, components => components.Add(provider!));

    /// <summary>Registers (or replaces) an encoding in the <see cref="ComponentRegistry"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The provider; its <see cref="EncodingProvider.Type"/> and aliases are the names.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddEncoding(this IFastScoreStreamsBuilder builder, EncodingProvider provider) =>
        AddComponent(builder, provider, provider?.Type, components => components.Add(provider!));

    /// <summary>Registers (or replaces) the schema checkers of an encoding in the <see cref="ComponentRegistry"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The provider; its <see cref="SchemaCheckerProvider.EncodingType"/> is the encoding it checks.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddSchemaChecker(this IFastScoreStreamsBuilder builder, SchemaCheckerProvider provider) =>
        AddComponent(builder, provider, provider?.EncodingType, components => components.Add(provider!));

    /// <summary>The one shape of the four <c>Add*</c> methods: checks the arguments, adds the provider to the registry the options hold.</summary>
    private static IFastScoreStreamsBuilder AddComponent(IFastScoreStreamsBuilder builder, object? provider, string? name, Action<ComponentRegistry> add)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(provider));
        builder.Services.Configure<StreamFactoryOptions>(o => add(o.Components));
        return builder;
    }

    /// <summary>Sets the schema library that <c>{"$ref": name}</c> schemas resolve against, when descriptors are read and when streams open.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="library">The library; it replaces any library set before (including schemas added by an earlier <see cref="AddSchemasFromDirectory"/>).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder UseSchemaLibrary(this IFastScoreStreamsBuilder builder, SchemaLibrary library)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(library);
        builder.Services.Configure<StreamFactoryOptions>(o => o.SchemaLibrary = library);
        return builder;
    }

    /// <summary>
    /// Adds every <c>name.avsc</c> file of a folder to the schema library (created when none is set), so that
    /// <c>{"$ref": "name"}</c> resolves to it. The folder is read when the services start, not now.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The folder; a relative path is resolved against the host's content root (<see cref="IHostEnvironment.ContentRootPath"/>), or the current directory without a host.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <remarks>
    /// The library in use is copied before the folder's schemas are added: a library given to
    /// <see cref="UseSchemaLibrary"/> is not changed. A missing folder fails with <see cref="DirectoryNotFoundException"/>,
    /// and a bad schema file with <see cref="DescriptorException"/>, when the <see cref="StreamFactory"/> is first resolved.
    /// </remarks>
    public static IFastScoreStreamsBuilder AddSchemasFromDirectory(this IFastScoreStreamsBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        builder.Services.AddOptions<StreamFactoryOptions>().Configure<IServiceProvider>((o, services) =>
        {
            string root = services.GetService<IHostEnvironment>()?.ContentRootPath ?? Environment.CurrentDirectory;
            SchemaLibrary folder = SchemaLibrary.FromDirectory(Path.GetFullPath(path, root));
            var merged = new SchemaLibrary();
            foreach (SchemaLibrary source in o.SchemaLibrary is null ? [folder] : new[] { o.SchemaLibrary, folder })
            {
                foreach (string name in source.Names)
                {
                    if (source.TryGetSchemaJson(name, out string? json))
                    {
                        merged.Register(name, json);
                    }
                }
            }

            o.SchemaLibrary = merged;
        });
        return builder;
    }

    /// <summary>Registers a named stream descriptor, resolvable as a keyed <see cref="StreamDescriptor"/> service with that name and through <see cref="StreamCatalog"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The stream's name (case-insensitive; a later registration of the same name wins).</param>
    /// <param name="descriptor">The validated descriptor.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddStream(this IFastScoreStreamsBuilder builder, string name, StreamDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(descriptor);
        builder.Services.AddSingleton(NamedStreamSource.Single(name, _ => descriptor));
        return builder;
    }

    /// <summary>
    /// Registers a named stream built with the fluent <see cref="StreamDescriptorBuilder"/>, resolvable as a keyed
    /// <see cref="StreamDescriptor"/> service with that name and through <see cref="StreamCatalog"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The stream's name (case-insensitive; a later registration of the same name wins).</param>
    /// <param name="configure">Sets the descriptor's fields, e.g. <c>d =&gt; d.UseFile("/data/in.jsons").UseEncoding("json")</c>.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <remarks>
    /// The descriptor is built when the <see cref="StreamCatalog"/> is created, with the registered transports and
    /// schema library; an invalid one then fails with a <see cref="DescriptorException"/> naming the stream.
    /// </remarks>
    public static IFastScoreStreamsBuilder AddStream(this IFastScoreStreamsBuilder builder, string name, Action<StreamDescriptorBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddSingleton(NamedStreamSource.Single(name, options =>
        {
            StreamDescriptorBuilder descriptor = StreamDescriptor.CreateBuilder(options);
            configure(descriptor);
            try
            {
                return descriptor.Build();
            }
            catch (DescriptorException ex)
            {
                throw new DescriptorException(ex.Errors, ex.Origin is null ? $"stream '{name}'" : $"stream '{name}', {ex.Origin}");
            }
        }));
        return builder;
    }

    /// <summary>
    /// Registers one named stream per child key of a section of the application's <see cref="IConfiguration"/>
    /// (e.g. <c>appsettings.json</c>): the key is the stream's name, the value its descriptor, as a JSON object or as a
    /// string holding a stream literal (<c>"kafka:broker:9092/in.json"</c>), a descriptor file path or descriptor JSON.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="sectionPath">The section's path.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <remarks>
    /// The section is read when the <see cref="StreamCatalog"/> is created (at host start under the generic host), with
    /// the registered transports and schema library. An invalid descriptor fails with a <see cref="DescriptorException"/>
    /// whose <see cref="DescriptorException.Origin"/> names the configuration path (e.g. <c>FastScore:Streams:scores-in</c>).
    /// A missing section registers no streams. Needs an <see cref="IConfiguration"/> service (the generic host registers one).
    /// </remarks>
    public static IFastScoreStreamsBuilder AddStreamsFromConfiguration(this IFastScoreStreamsBuilder builder, string sectionPath = DefaultConfigurationSection)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(sectionPath);
        builder.Services.AddSingleton(NamedStreamSource.Configuration(services =>
            (services.GetService<IConfiguration>()
                ?? throw new InvalidOperationException(
                    $"AddStreamsFromConfiguration(\"{sectionPath}\") needs an IConfiguration service: use the generic host, register one, or pass the section itself."))
            .GetSection(sectionPath)));
        return builder;
    }

    /// <summary>
    /// Registers one named stream per child key of a configuration section: the key is the stream's name, the value its
    /// descriptor (a JSON object, or a string holding a stream literal, a descriptor file path or descriptor JSON).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="section">The section holding the streams.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <remarks>As <see cref="AddStreamsFromConfiguration(IFastScoreStreamsBuilder, string)"/>: read and validated when the <see cref="StreamCatalog"/> is created.</remarks>
    public static IFastScoreStreamsBuilder AddStreamsFromConfiguration(this IFastScoreStreamsBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.AddSingleton(NamedStreamSource.Configuration(_ => section));
        return builder;
    }
}
