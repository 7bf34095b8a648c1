using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FastScore.Streams;

// AddEngine: runs a ScoringEngine inside a .NET Generic Host (one class with the builder's other extension methods).
public static partial class FastScoreStreamsBuilderExtensions
{
    /// <summary>
    /// Registers a scoring engine running <typeparamref name="TModel"/> on the given slots, and a hosted service that
    /// starts it with the host and stops it gracefully (nothing read is lost) when the host stops. The engine is a
    /// keyed singleton named after the model type (and the unkeyed <see cref="ScoringEngine"/> when it is the first).
    /// </summary>
    /// <typeparam name="TModel">The model; resolved from the container (registered as a singleton if it is not registered yet).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="configureSlots">Attaches a stream to each slot the model uses.</param>
    /// <param name="configure">Engine and hosting settings, if any.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public static IFastScoreStreamsBuilder AddEngine<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TModel>(this IFastScoreStreamsBuilder builder, Action<EngineSlotsBuilder> configureSlots, Action<ScoringEngineHostingOptions>? configure = null)
        where TModel : class, IModel =>
        builder.AddEngine<TModel>(typeof(TModel).Name, configureSlots, configure);

    /// <summary>Registers a named scoring engine and its hosted service (see <see cref="AddEngine{TModel}(IFastScoreStreamsBuilder, Action{EngineSlotsBuilder}, Action{ScoringEngineHostingOptions}?)"/>).</summary>
    /// <typeparam name="TModel">The model; resolved from the container (registered as a singleton if it is not registered yet).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The engine's name: the key of the <see cref="ScoringEngine"/> service, and the model's display name.</param>
    /// <param name="configureSlots">Attaches a stream to each slot the model uses.</param>
    /// <param name="configure">Engine and hosting settings, if any.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="ArgumentException">An engine with that name is already registered.</exception>
    public static IFastScoreStreamsBuilder AddEngine<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TModel>(this IFastScoreStreamsBuilder builder, string name, Action<EngineSlotsBuilder> configureSlots, Action<ScoringEngineHostingOptions>? configure = null)
        where TModel : class, IModel
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configureSlots);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ScoringEngine) && d.IsKeyedService && Equals(d.ServiceKey, name)))
        {
            throw new ArgumentException($"An engine named '{name}' is already registered.", nameof(name));
        }

        var slots = new EngineSlotsBuilder();
        configureSlots(slots);
        services.TryAddSingleton<TModel>();
        OptionsBuilder<ScoringEngineHostingOptions> options = services.AddOptions<ScoringEngineHostingOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddKeyedSingleton(name, (sp, _) =>
        {
            ScoringEngineHostingOptions hosting = sp.GetRequiredService<IOptionsMonitor<ScoringEngineHostingOptions>>().Get(name);
            EngineOptions engine = hosting.Engine;
            if (ReferenceEquals(engine.TimeProvider, TimeProvider.System) && sp.GetService<TimeProvider>() is { } time)
            {
                engine.TimeProvider = time;
            }

            if (slots.ResolveRejects(sp) is { } rejects)
            {
                engine.Rejects = rejects;
            }

            return new ScoringEngine(sp.GetRequiredService<StreamFactory>(), engine, sp.GetService<ILoggerFactory>(), sp.GetService<IMeterFactory>());
        });
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<ScoringEngine>(name));
        services.AddSingleton<IHostedService>(sp => new ScoringEngineHostedService(
            name,
            sp.GetRequiredKeyedService<ScoringEngine>(name),
            sp.GetRequiredService<TModel>(),
            slots.Resolve(sp),
            sp.GetRequiredService<IOptionsMonitor<ScoringEngineHostingOptions>>().Get(name),
            sp.GetService<IHostApplicationLifetime>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("FastScore.Streams.Engine")));
        return builder;
    }
}

/// <summary>Settings of an engine run by the Generic Host.</summary>
public sealed class ScoringEngineHostingOptions
{
    /// <summary>Gets the engine's settings. When <see cref="EngineOptions.TimeProvider"/> is left at the system clock and the container has a <see cref="TimeProvider"/>, that one is used.</summary>
    public EngineOptions Engine { get; } = new();

    /// <summary>Gets or sets a value indicating whether the application stops when the engine ends (FINISHED or ERROR), as a batch job should.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool StopApplicationWhenFinished { get; set; } = true;
}

/// <summary>Says which stream each slot of a hosted engine gets.</summary>
public sealed class EngineSlotsBuilder
{
    private readonly List<(int Slot, Func<IServiceProvider, StreamDescriptor> Descriptor, string? Name)> _slots = [];
    private Func<IServiceProvider, StreamDescriptor>? _rejects;

    /// <summary>Sends every rejected record to a rejects stream as a JSON reject document (see <see cref="EngineOptions.Rejects"/>).</summary>
    /// <param name="descriptor">The rejects stream: any output descriptor whose encoding is json, utf-8 or null.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public EngineSlotsBuilder Rejects(StreamDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        _rejects = _ => descriptor;
        return this;
    }

    /// <summary>
    /// Sends every rejected record to a rejects stream given as text: descriptor JSON, a descriptor file's path, or a
    /// literal such as <c>kafka:broker:9092/rejects</c>. The text is read when the engine is created, with the
    /// registered components (<see cref="StreamDescriptorOptions"/> from the services), so package transports work.
    /// </summary>
    /// <param name="descriptor">The descriptor JSON, file path or literal.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public EngineSlotsBuilder Rejects(string descriptor)
    {
        ArgumentException.ThrowIfNullOrEmpty(descriptor);
        _rejects = sp => ParseText(sp, descriptor);
        return this;
    }

    /// <summary>Reads descriptor text (JSON, a file path or a literal) with the components registered in the services.</summary>
    private static StreamDescriptor ParseText(IServiceProvider services, string descriptor)
    {
        StreamDescriptorOptions? options = services.GetService<StreamDescriptorOptions>();
        return descriptor.TrimStart().StartsWith('{') ? StreamDescriptor.Parse(descriptor, options) : StreamDescriptor.FromArgument(descriptor, options);
    }

    /// <summary>Sends every rejected record to a stream registered with <see cref="FastScoreStreamsBuilderExtensions.AddStream"/> (resolved when the engine is created).</summary>
    /// <param name="streamName">The registered stream's name.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public EngineSlotsBuilder RejectsNamed(string streamName)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        _rejects = sp => sp.GetRequiredKeyedService<StreamDescriptor>(streamName);
        return this;
    }

    internal StreamDescriptor? ResolveRejects(IServiceProvider services) => _rejects?.Invoke(services);

    /// <summary>Attaches a descriptor to a slot.</summary>
    /// <param name="slot">The slot: even for an input, odd for an output.</param>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="name">The stream's display name, if any.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public EngineSlotsBuilder Attach(int slot, StreamDescriptor descriptor, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentNullException.ThrowIfNull(descriptor);
        _slots.Add((slot, _ => descriptor, name));
        return this;
    }

    /// <summary>
    /// Attaches a stream given as text: descriptor JSON, a descriptor file's path, or a stream literal such as
    /// <c>file:/data/in.jsons</c>. The text is read when the engine is created, with the registered components, so
    /// literals of package transports (<c>rest:</c>, <c>kafka:...</c>) work; an invalid text fails the host's start with
    /// a <see cref="DescriptorException"/>.
    /// </summary>
    /// <param name="slot">The slot: even for an input, odd for an output.</param>
    /// <param name="descriptor">The descriptor JSON, file path or literal.</param>
    /// <param name="name">The stream's display name, if any.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public EngineSlotsBuilder Attach(int slot, string descriptor, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentException.ThrowIfNullOrEmpty(descriptor);
        _slots.Add((slot, sp => ParseText(sp, descriptor), name));
        return this;
    }

    /// <summary>Attaches a stream registered with <see cref="FastScoreStreamsBuilderExtensions.AddStream"/> (resolved when the host starts).</summary>
    /// <param name="slot">The slot: even for an input, odd for an output.</param>
    /// <param name="streamName">The registered stream's name; also its display name.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    public EngineSlotsBuilder AttachNamed(int slot, string streamName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        _slots.Add((slot, sp => sp.GetRequiredKeyedService<StreamDescriptor>(streamName), streamName));
        return this;
    }

    internal IReadOnlyList<(int Slot, StreamDescriptor Descriptor, string? Name)> Resolve(IServiceProvider services) =>
        [.. _slots.Select(s => (s.Slot, s.Descriptor(services), s.Name))];
}

/// <summary>Starts an engine with the host and stops it gracefully with the host.</summary>
internal sealed class ScoringEngineHostedService(
    string name,
    ScoringEngine engine,
    IModel model,
    IReadOnlyList<(int Slot, StreamDescriptor Descriptor, string? Name)> slots,
    ScoringEngineHostingOptions options,
    IHostApplicationLifetime? lifetime,
    ILogger logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        engine.LoadModel(model, name);
        foreach ((int slot, StreamDescriptor descriptor, string? streamName) in slots)
        {
            engine.Attach(slot, descriptor, streamName);
        }

        if (engine.State == EngineState.Init && !options.Engine.AutoStart)
        {
            engine.Start();
        }

        _ = WatchAsync(engine.Completion);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await engine.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the host will not wait any longer: abandon what is in flight
            await engine.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WatchAsync(Task<EngineState> completion)
    {
        EngineState final = await completion.ConfigureAwait(false);
        if (final == EngineState.Error)
        {
            Diagnostics.Log.HostedEngineFailed(logger, name, engine.Inspect().Error ?? "unknown error");
        }

        if (final != EngineState.Init && options.StopApplicationWhenFinished)
        {
            lifetime?.StopApplication();
        }
    }
}
