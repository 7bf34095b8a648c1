using System.Diagnostics.CodeAnalysis;
using FastScore.Streams.Descriptors;
using Microsoft.Extensions.Configuration;

namespace FastScore.Streams.Tests;

/// <summary>
/// Reads descriptors with the transports of the packages registered (REST, Kafka, S3, ODBC), as the CLI does: the core
/// alone knows only its own transports, and these tests read descriptors naming the packages' transports.
/// </summary>
internal static class Packages
{
    public static ComponentRegistry Components { get; } = Create();

    public static StreamDescriptorOptions Options { get; } = new() { Components = Components };

    private static ComponentRegistry Create()
    {
        var options = new StreamFactoryOptions();
        Rest.RestStreamFactoryOptionsExtensions.AddRestTransport(options);
        options.AddS3();
        options.AddKafka();
        options.AddOdbc();
        return options.Components;
    }

    /// <summary>The given options with the packages' transports, unless they name a registry of their own.</summary>
    public static StreamDescriptorOptions With(StreamDescriptorOptions? options) =>
        options is null ? Options
        : ReferenceEquals(options.Components, ComponentRegistry.Default) ? new StreamDescriptorOptions { Components = Components, SchemaLibrary = options.SchemaLibrary }
        : options;

    public static StreamDescriptor Parse(string json, StreamDescriptorOptions? options = null) => StreamDescriptor.Parse(json, With(options));

    public static StreamDescriptor Parse(ReadOnlySpan<byte> utf8Json, StreamDescriptorOptions? options = null) => StreamDescriptor.Parse(utf8Json, With(options));

    public static StreamDescriptor Parse(Stream utf8Json, StreamDescriptorOptions? options = null) => StreamDescriptor.Parse(utf8Json, With(options));

    public static Task<StreamDescriptor> ParseAsync(Stream utf8Json, StreamDescriptorOptions? options = null, CancellationToken cancellationToken = default) =>
        StreamDescriptor.ParseAsync(utf8Json, With(options), cancellationToken);

    public static StreamDescriptor ParseFile(string path, StreamDescriptorOptions? options = null) => StreamDescriptor.ParseFile(path, With(options));

    public static StreamDescriptor FromArgument(string text, StreamDescriptorOptions? options = null) => StreamDescriptor.FromArgument(text, With(options));

    public static StreamDescriptor FromConfiguration(IConfigurationSection section, StreamDescriptorOptions? options = null) => StreamDescriptor.FromConfiguration(section, With(options));

    public static StreamDescriptorBuilder CreateBuilder(StreamDescriptorOptions? options = null) => StreamDescriptor.CreateBuilder(With(options));

    public static StreamDescriptor Expand(string literal, StreamDescriptorOptions? options = null) => StreamLiteral.Expand(literal, With(options));

    public static string ExpandToJson(string literal, StreamDescriptorOptions? options = null) => StreamLiteral.ExpandToJson(literal, With(options));

    public static bool TryExpand(string literal, [NotNullWhen(true)] out StreamDescriptor? descriptor) =>
        StreamLiteral.TryExpand(literal, Options, out descriptor, out _);

    public static bool TryExpand(string literal, StreamDescriptorOptions? options, [NotNullWhen(true)] out StreamDescriptor? descriptor, out IReadOnlyList<DescriptorError> errors) =>
        StreamLiteral.TryExpand(literal, With(options), out descriptor, out errors);
}
