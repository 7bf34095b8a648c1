using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FastScore.Streams.Kafka.Tests.Unit;

public sealed class KafkaRegistrationTests
{
    [Test]
    public void AddKafkaTransport_registers_the_kafka_type_on_the_stream_factory()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddKafkaTransport(o => o.MaxBufferedMessages = 1024);
        using ServiceProvider provider = services.BuildServiceProvider();

        StreamFactory factory = provider.GetRequiredService<StreamFactory>();

        Assert.Multiple(() =>
        {
            Assert.That(factory.Options.Components.TryGetTransport("kafka", out var kafka) ? kafka : null, Is.InstanceOf<KafkaTransportProvider>());
            Assert.That(factory.Options.Components.TryGetTransport("Kafka", out var kafka2) ? kafka2 : null, Is.InstanceOf<KafkaTransportProvider>(), "type names match case-insensitively");
            Assert.That(provider.GetRequiredService<IOptions<KafkaTransportOptions>>().Value.MaxBufferedMessages, Is.EqualTo(1024));
        });
    }

    [Test]
    public void Calling_AddKafkaTransport_twice_keeps_one_registration_and_both_configurations()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddKafkaTransport(o => o.MaxBufferedMessages = 100).AddKafkaTransport(o => o.ForwardClientLogs = false);
        using ServiceProvider provider = services.BuildServiceProvider();

        KafkaTransportOptions options = provider.GetRequiredService<IOptions<KafkaTransportOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(services.Count(d => d.ServiceType == typeof(IConfigureOptions<StreamFactoryOptions>) && d.ImplementationType?.DeclaringType == typeof(KafkaFastScoreStreamsBuilderExtensions)), Is.EqualTo(1));
            Assert.That(options.MaxBufferedMessages, Is.EqualTo(100));
            Assert.That(options.ForwardClientLogs, Is.False);
        });
    }

    [Test]
    public void Invalid_options_fail_when_resolved()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddKafkaTransport(o => o.MaxBufferedMessages = 0);
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<StreamFactory>().Options);

        Assert.That(error!.Message, Does.Contain("MaxBufferedMessages"));
    }

    [Test]
    public void Without_dependency_injection_AddKafka_registers_the_transport_on_the_options()
    {
        StreamFactoryOptions options = new StreamFactoryOptions().AddKafka(o => o.ForwardClientLogs = false);

        Assert.That(options.Components.TryGetTransport(KafkaTransportDescriptor.TypeName, out var kafka) ? kafka : null, Is.InstanceOf<KafkaTransportProvider>());
    }

    [Test]
    public void A_parsed_kafka_descriptor_creates_inputs_and_outputs_whose_display_names_never_show_Config_values()
    {
        StreamDescriptor descriptor = StreamDescriptor.Parse("""
            {
              "Transport": {
                "Type": "Kafka",
                "BootstrapServers": ["broker-1:9092", "broker-2:9092"],
                "Topic": "iris",
                "Group": "scorers",
                "Config": { "security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.username": "api-key", "sasl.password": "hunter2" }
              },
              "Encoding": "json"
            }
            """, new StreamFactoryOptions().AddKafka().CreateDescriptorOptions());
        var provider = new KafkaTransportProvider();
        var context = new TransportContext("scores");

        InputTransport input = provider.CreateInput(descriptor, context);
        OutputTransport output = provider.CreateOutput(descriptor, context);

        Assert.Multiple(() =>
        {
            Assert.That(input.DisplayName, Is.EqualTo("kafka:iris group scorers (broker-1:9092,broker-2:9092)"));
            Assert.That(output.DisplayName, Is.EqualTo("kafka:iris/0 (broker-1:9092,broker-2:9092)"));
            Assert.That(input.DisplayName + output.DisplayName, Does.Not.Contain("hunter2").And.Not.Contain("api-key"));
            Assert.That(descriptor.ToDisplayJson(), Does.Not.Contain("hunter2"));
            Assert.That(input, Is.InstanceOf<MessageInputTransport>());
            Assert.That(input.CanSeek, Is.True);
            Assert.That(output, Is.InstanceOf<MessageOutputTransport>());
        });
    }

    [Test]
    public void A_descriptor_of_another_transport_is_refused()
    {
        var descriptor = new StreamDescriptor { Transport = new FileTransportDescriptor { Path = "/tmp/x" } };

        Assert.Throws<ArgumentException>(() => new KafkaTransportProvider().CreateInput(descriptor, new TransportContext("s")));
    }
}
