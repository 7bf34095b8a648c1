using FastScore.Streams.Descriptors.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// Collects the errors and warnings found in one part of a descriptor (the transport, the envelope, the encoding),
/// each with its field path. Paths given to <see cref="Add"/> are relative to the part: <c>"Topic"</c> in the
/// transport is reported as <c>Transport.Topic</c>. At most one error per path is kept (the first).
/// </summary>
public sealed class DescriptorErrors
{
    private readonly ErrorSink _sink;

    internal DescriptorErrors(ErrorSink sink, string path)
    {
        _sink = sink;
        Path = path;
    }

    /// <summary>Gets the path of the part these errors are about, e.g. <c>Transport</c>.</summary>
    public string Path { get; }

    /// <summary>Gets where the errors go (shared by every part of the descriptor).</summary>
    internal ErrorSink Sink => _sink;

    /// <summary>Gets a value indicating whether any error was reported (in any part of the descriptor).</summary>
    public bool HasErrors => _sink.HasErrors;

    /// <summary>Reports an error.</summary>
    /// <param name="field">The field, relative to <see cref="Path"/> (e.g. <c>"Topic"</c>, <c>"Config[\"acks\"]"</c>); empty for the part itself.</param>
    /// <param name="message">What is wrong and what is allowed, e.g. <c>must be a non-empty string; found "".</c></param>
    public void Add(string field, string message)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(message);
        _sink.Error(PathOf(field), message);
    }

    /// <summary>Reports a warning (the descriptor stays valid).</summary>
    /// <param name="field">The field, relative to <see cref="Path"/>.</param>
    /// <param name="message">The warning.</param>
    public void Warn(string field, string message)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(message);
        _sink.Warning(PathOf(field), message);
    }

    /// <summary>Gets the full path of a field of this part.</summary>
    /// <param name="field">The field, relative to <see cref="Path"/>.</param>
    /// <returns>The full path, e.g. <c>Transport.Topic</c>.</returns>
    public string PathOf(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Length == 0 ? Path : field[0] == '[' ? Path + field : DescriptorPath.Join(Path, field);
    }

    /// <summary>The relative path of an item of an array field: <c>BootstrapServers[0]</c>.</summary>
    /// <param name="field">The array field.</param>
    /// <param name="index">The item's index.</param>
    /// <returns>The path.</returns>
    public static string Item(string field, int index) => DescriptorPath.Index(field, index);

    /// <summary>The relative path of a key of a map field: <c>Config["ssl.key.password"]</c>.</summary>
    /// <param name="field">The map field.</param>
    /// <param name="key">The key.</param>
    /// <returns>The path.</returns>
    public static string Key(string field, string key) => DescriptorPath.Key(field, key);

    /// <summary>Quotes a text for an error message, shortened and escaped as JSON: <c>"abc"</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The quoted text.</returns>
    public static string Quote(string text) => Node.Quote(text ?? string.Empty);

    /// <summary>Gets " Did you mean 'x'?" when a known name is close to the given one, otherwise the empty string.</summary>
    /// <param name="given">The name given.</param>
    /// <param name="known">The known names.</param>
    /// <returns>The hint, with a leading space, or the empty string.</returns>
    public static string DidYouMean(string given, IEnumerable<string> known) => NameSuggester.DidYouMean(given, [.. known]);
}
