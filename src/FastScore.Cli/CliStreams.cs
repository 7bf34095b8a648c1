using FastScore.Streams;
using FastScore.Streams.Descriptors;

namespace FastScore.Cli;

/// <summary>What every command shares: the stream factory with every package the CLI ships, and descriptor reading.</summary>
internal static class CliStreams
{
    private static readonly Lock s_gate = new();
    private static readonly List<object> s_loaded = []; // providers of the assemblies given with --components
    private static ComponentRegistry? s_components;

    /// <summary>The components of every package the CLI ships (S3, Kafka, ODBC, REST) and of <c>--components</c> assemblies: descriptors are read, verified and run with these.</summary>
    public static ComponentRegistry Components
    {
        get
        {
            lock (s_gate)
            {
                return s_components ??= CreateFactoryOptions(withRest: true).Components;
            }
        }
    }

    /// <summary>
    /// Loads a third party's package (<c>--components X.dll</c>): every public, non-abstract transport, envelope,
    /// encoding and schema-checker provider type of the assembly with a public parameterless constructor is registered
    /// (replacing a built-in of the same name). Returns what was registered, or throws <see cref="ArgumentException"/> saying why not.
    /// </summary>
    public static IReadOnlyList<string> LoadComponents(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ArgumentException($"--components: '{full}' does not exist.");
        }

        System.Reflection.Assembly assembly;
        Type[] types;
        try
        {
            assembly = System.Reflection.Assembly.LoadFrom(full);
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException or TypeLoadException or System.Reflection.ReflectionTypeLoadException)
        {
            throw new ArgumentException($"--components: cannot load '{full}': {ex.Message}", ex);
        }

        var providers = new List<object>();
        foreach (Type type in types.Where(t => t is { IsClass: true, IsAbstract: false } && t.GetConstructor(Type.EmptyTypes) is not null))
        {
            if (typeof(Streams.Transports.TransportProvider).IsAssignableFrom(type) || typeof(Streams.Envelopes.EnvelopeProvider).IsAssignableFrom(type)
                || typeof(Streams.Encodings.EncodingProvider).IsAssignableFrom(type) || typeof(Streams.Schemas.SchemaCheckerProvider).IsAssignableFrom(type))
            {
                providers.Add(Activator.CreateInstance(type)!);
            }
        }

        if (providers.Count == 0)
        {
            throw new ArgumentException($"--components: '{full}' has no public transport, envelope, encoding or schema-checker provider with a parameterless constructor.");
        }

        lock (s_gate)
        {
            s_loaded.AddRange(providers);
            s_components = null; // rebuilt with them
        }

        return [.. providers.Select(p => p.GetType().Name)];
    }

    /// <summary>Forgets the <c>--components</c> of an earlier command line run in this process (tests run many).</summary>
    public static void ResetComponents()
    {
        lock (s_gate)
        {
            if (s_loaded.Count > 0)
            {
                s_loaded.Clear();
                s_components = null;
            }
        }
    }

    private static void AddLoaded(ComponentRegistry registry)
    {
        object[] loaded;
        lock (s_gate)
        {
            loaded = [.. s_loaded];
        }

        foreach (object provider in loaded)
        {
            _ = provider switch
            {
                Streams.Transports.TransportProvider t => registry.Add(t),
                Streams.Envelopes.EnvelopeProvider e => registry.Add(e),
                Streams.Encodings.EncodingProvider e => registry.Add(e),
                Streams.Schemas.SchemaCheckerProvider c => registry.Add(c),
                _ => registry,
            };
        }
    }

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

        AddLoaded(options.Components);
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

    /// <summary>As <see cref="DescriptorOptions"/>, for a long-running engine: schemas added to the library later are found (no restart).</summary>
    public static StreamDescriptorOptions LiveDescriptorOptions(CliIo io, string? schemasDirectory) =>
        new() { Components = Components, SchemaLibrary = CliLibrary.For(io).Schemas(schemasDirectory, follow: true) };
}
