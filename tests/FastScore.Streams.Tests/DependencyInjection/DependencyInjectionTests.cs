using System.Text.Json;
using FastScore.Streams.Descriptors;
using Microsoft.Extensions.DependencyInjection;

namespace FastScore.Streams.Tests.DependencyInjection;

/// <summary>The DI surface, after Npgsql's DependencyInjectionTests: keyed streams, unkeyed resolves, idempotent registration, replaceable defaults.</summary>
public sealed class DependencyInjectionTests
{
    private static readonly StreamDescriptor s_scoresIn = StreamDescriptor.CreateBuilder().UseFile("/data/in.jsons").UseEncoding("json").Build();

    [Test]
    public void A_named_stream_resolves_as_a_keyed_descriptor()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStream("scores-in", s_scoresIn);
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredKeyedService<StreamDescriptor>("scores-in"), Is.SameAs(s_scoresIn));
            Assert.That(provider.GetRequiredService<StreamCatalog>().GetDescriptor("scores-in"), Is.SameAs(s_scoresIn));
        });
    }

    [Test]
    public void A_stream_configured_with_the_fluent_builder_resolves_as_a_keyed_descriptor()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStream("scores-out", d => d.UseFile("/data/out.jsons").UseEncoding("json").WithDescription("scores"));
        using ServiceProvider provider = services.BuildServiceProvider();

        StreamDescriptor expected = StreamDescriptor.CreateBuilder().UseFile("/data/out.jsons").UseEncoding("json").WithDescription("scores").Build();
        Assert.That(provider.GetRequiredKeyedService<StreamDescriptor>("scores-out"), Is.EqualTo(expected));
    }

    [Test]
    public void A_keyed_descriptor_is_injected_with_FromKeyedServices()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStream("scores-in", s_scoresIn);
        services.AddSingleton<NeedsScoresIn>();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<NeedsScoresIn>().Descriptor, Is.SameAs(s_scoresIn));
    }

    [Test]
    public void An_unkeyed_resolve_of_a_named_stream_throws()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStream("scores-in", s_scoresIn);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(() => provider.GetRequiredService<StreamDescriptor>(), Throws.InvalidOperationException);
            Assert.That(provider.GetService<StreamDescriptor>(), Is.Null);
        });
    }

    [Test]
    public void An_unknown_name_resolves_to_nothing_and_a_required_resolve_throws()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStream("scores-in", s_scoresIn);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetKeyedService<StreamDescriptor>("scores-typo"), Is.Null);
            Assert.That(() => provider.GetRequiredKeyedService<StreamDescriptor>("scores-typo"), Throws.InvalidOperationException);
            Assert.That(() => provider.GetRequiredService<StreamCatalog>().GetDescriptor("scores-typo"),
                Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("'scores-typo'").And.Message.Contains("registered: scores-in"));
        });
    }

    [Test]
    public void Calling_AddFastScoreStreams_twice_leaves_a_single_set_of_registrations()
    {
        var once = new ServiceCollection();
        once.AddFastScoreStreams();
        var twice = new ServiceCollection();
        IFastScoreStreamsBuilder first = twice.AddFastScoreStreams();
        IFastScoreStreamsBuilder second = twice.AddFastScoreStreams();

        Assert.Multiple(() =>
        {
            Assert.That(twice, Has.Count.EqualTo(once.Count));
            Assert.That(twice.Count(d => d.ServiceType == typeof(StreamFactory)), Is.EqualTo(1));
            Assert.That(twice.Count(d => d.ServiceType == typeof(StreamCatalog)), Is.EqualTo(1));
            Assert.That(twice.Count(d => d.ServiceType == typeof(StreamDescriptor)), Is.EqualTo(1));
            Assert.That(first.Services, Is.SameAs(twice));
            Assert.That(second.Services, Is.SameAs(twice));
        });
    }

    [Test]
    public void Streams_added_through_two_builders_land_in_one_catalog()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStream("a", s_scoresIn);
        services.AddFastScoreStreams().AddStream("b", d => d.UseDiscard());
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<StreamCatalog>().Names, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void A_factory_registered_by_the_host_first_is_kept()
    {
        var options = new StreamFactoryOptions { MaxBatchRecords = 7 };
        var mine = new StreamFactory(options);
        var services = new ServiceCollection();
        services.AddSingleton(mine);
        services.AddFastScoreStreams().AddStream("a", s_scoresIn);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<StreamFactory>(), Is.SameAs(mine));
            Assert.That(provider.GetRequiredService<StreamCatalog>().Factory, Is.SameAs(mine));
        });
    }

    [Test]
    public void Descriptor_options_registered_by_the_host_first_are_kept()
    {
        StreamDescriptorOptions mine = DescriptorOnlyTransport.Options(new DescriptorOnlyTransport("mine", preservesRecordBoundaries: true, isSeekable: false));
        var services = new ServiceCollection();
        services.AddSingleton(mine);
        services.AddFastScoreStreams().AddStream("a", d => d.UseTransport(new CustomTransportDescriptor("mine", JsonDocument.Parse("""{"Type": "mine"}""").RootElement, true, false)).NoEnvelope());
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<StreamDescriptorOptions>(), Is.SameAs(mine));
            Assert.That(provider.GetRequiredKeyedService<StreamDescriptor>("a").Transport.Type, Is.EqualTo("mine"));
        });
    }

    [Test]
    public void The_configure_overload_changes_the_factory_registries()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams(o => o.MaxBatchRecords = 64);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<StreamFactory>().Options.MaxBatchRecords, Is.EqualTo(64));
    }

    [Test]
    public void Names_are_case_insensitive_and_the_last_registration_wins()
    {
        StreamDescriptor discard = StreamDescriptor.CreateBuilder().UseDiscard().Build();
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStream("Scores", s_scoresIn).AddStream("scores", discard);
        using ServiceProvider provider = services.BuildServiceProvider();
        StreamCatalog catalog = provider.GetRequiredService<StreamCatalog>();

        Assert.Multiple(() =>
        {
            Assert.That(catalog.Names, Is.EqualTo(new[] { "scores" }));
            Assert.That(catalog.GetDescriptor("SCORES"), Is.SameAs(discard));
            Assert.That(provider.GetRequiredKeyedService<StreamDescriptor>("Scores"), Is.SameAs(discard));
        });
    }

    [Test]
    public void An_invalid_builder_stream_fails_when_the_catalog_is_resolved_naming_the_stream()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStream("bad", d => d.UseFile("relative/in.jsons").UseEncoding("json"));
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<DescriptorException>(() => provider.GetRequiredService<StreamCatalog>());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Origin, Does.StartWith("stream 'bad'"));
            Assert.That(ex.Errors.Select(e => e.Path), Is.EqualTo(new[] { "Transport.Path" }));
            Assert.That(() => provider.GetKeyedService<StreamDescriptor>("bad"), Throws.TypeOf<DescriptorException>());
        });
    }

    [Test]
    public void Every_invalid_stream_is_reported_in_one_exception()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams()
            .AddStream("bad-1", d => d.UseFile("relative/in.jsons"))
            .AddStream("good", s_scoresIn)
            .AddStream("bad-2", d => d.UseEncoding("jsn").UseDiscard());
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<DescriptorException>(() => provider.GetRequiredService<StreamCatalog>());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Errors.Select(e => e.Path), Has.Some.StartsWith("[bad-1] ").And.Some.StartsWith("[bad-2] "));
            Assert.That(ex.Message, Does.Contain("stream 'bad-1'").And.Contain("stream 'bad-2'"));
        });
    }

    [Test]
    public void Argument_errors_are_thrown_at_registration()
    {
        IFastScoreStreamsBuilder builder = new ServiceCollection().AddFastScoreStreams();
        Assert.Multiple(() =>
        {
            Assert.That(() => builder.AddStream("", s_scoresIn), Throws.ArgumentException);
            Assert.That(() => builder.AddStream("a", (StreamDescriptor)null!), Throws.ArgumentNullException);
            Assert.That(() => builder.AddStream("a", (Action<StreamDescriptorBuilder>)null!), Throws.ArgumentNullException);
            Assert.That(() => builder.AddStreamsFromConfiguration(""), Throws.ArgumentException);
            Assert.That(() => builder.AddSchemasFromDirectory(""), Throws.ArgumentException);
        });
    }

    private sealed class NeedsScoresIn([FromKeyedServices("scores-in")] StreamDescriptor descriptor)
    {
        public StreamDescriptor Descriptor { get; } = descriptor;
    }
}
