using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Descriptors.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// Expands FastScore's URL-like stream literals (<c>rest:</c>, <c>file:/data/in.jsons</c>,
/// <c>kafka:broker:9092/topic.json</c>, <c>inline:1,2,3</c>, ...) into descriptors, as the FastScore CLI and SDK did.
/// A <c>kafka:</c> literal can also name a consumer group and where to start
/// (<c>kafka:broker:9092/topic.json?group=scorers&amp;start=earliest</c>; see docs/kafka.md).
/// </summary>
/// <remarks>
/// A literal becomes <c>{"Transport": T, "Encoding": E}</c>, which is then read like any descriptor, so every other
/// field takes its default. The encoding is guessed from the literal's ending: <c>.json</c>/<c>.jsons</c> → json,
/// <c>.avro</c> → avro-binary, <c>.utf8</c> → utf-8, <c>.bin</c> → null (raw bytes), anything else → json.
/// See docs/descriptors.md for the full table.
/// </remarks>
internal static class StreamLiteral
{
    /// <summary>Expands a literal into a validated descriptor.</summary>
    /// <param name="literal">The literal, e.g. <c>kafka:broker:9092/scores.json</c>.</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <returns>The descriptor, every default filled in.</returns>
    /// <exception cref="DescriptorException">The literal is malformed (the message shows valid syntax), or the descriptor it gives is invalid.</exception>
    public static StreamDescriptor Expand(string literal, StreamDescriptorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(literal);
        for (int i = 0; i < literal.Length; i++)
        {
            if (char.IsHighSurrogate(literal[i]) && i + 1 < literal.Length && char.IsLowSurrogate(literal[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(literal[i]))
            {
                // Writing it as JSON would silently turn it into U+FFFD.
                throw new DescriptorException([new DescriptorError(string.Empty, $"the literal is not Unicode text: an unpaired surrogate at character {i}.")], Origin(literal));
            }
        }

        string json = ExpandToJson(literal, options);
        using var document = JsonDocument.Parse(json);
        return StreamDescriptor.FromNode(Node.FromJson(document.RootElement), options, Origin(literal));
    }

    /// <summary>Tries to expand a literal.</summary>
    /// <param name="literal">The literal.</param>
    /// <param name="descriptor">The descriptor, when the literal is valid.</param>
    /// <returns><see langword="true"/> when the literal is valid.</returns>
    public static bool TryExpand(string literal, [NotNullWhen(true)] out StreamDescriptor? descriptor) =>
        TryExpand(literal, options: null, out descriptor, out _);

    /// <summary>Tries to expand a literal, returning the errors when it is not valid.</summary>
    /// <param name="literal">The literal.</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <param name="descriptor">The descriptor, when the literal is valid.</param>
    /// <param name="errors">Every error, when it is not; otherwise empty.</param>
    /// <returns><see langword="true"/> when the literal is valid.</returns>
    public static bool TryExpand(string literal, StreamDescriptorOptions? options, [NotNullWhen(true)] out StreamDescriptor? descriptor, out IReadOnlyList<DescriptorError> errors)
    {
        try
        {
            descriptor = Expand(literal, options);
            errors = [];
            return true;
        }
        catch (DescriptorException ex)
        {
            descriptor = null;
            errors = ex.Errors;
            return false;
        }
    }

    /// <summary>
    /// Expands a literal into FastScore's own JSON form <c>{"Transport": ..., "Encoding": ...}</c>, before defaults.
    /// </summary>
    /// <param name="literal">The literal.</param>
    /// <returns>The descriptor JSON.</returns>
    /// <exception cref="DescriptorException">The literal is malformed (the message shows valid syntax).</exception>
    public static string ExpandToJson(string literal) => ExpandToJson(literal, options: null);

    /// <summary>
    /// Expands a literal into FastScore's own JSON form <c>{"Transport": ..., "Encoding": ...}</c>, before defaults, with
    /// the literal tags of the transports registered in <paramref name="options"/>.
    /// </summary>
    /// <param name="literal">The literal.</param>
    /// <param name="options">The registry whose transports expand their literals, or <see langword="null"/> for the core's.</param>
    /// <returns>The descriptor JSON.</returns>
    /// <exception cref="DescriptorException">The literal is malformed (the message shows valid syntax).</exception>
    public static string ExpandToJson(string literal, StreamDescriptorOptions? options)
    {
        ArgumentNullException.ThrowIfNull(literal);
        ComponentRegistry components = (options ?? StreamDescriptorOptions.Default).Components;
        string text = literal.Trim();
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        IReadOnlyList<string> tags = [.. components.LiteralTags];
        if (colon <= 0)
        {
            throw Fail(literal, $"'{literal}' is not a stream literal: expected tag:details, e.g. file:/data/input.jsons, kafka:broker:9092/topic.json or rest:; known tags: {string.Join(", ", tags)}.");
        }

        string tag = text[..colon].ToLowerInvariant();
        string rest = text[(colon + 1)..];
        var buffer = new ArrayBufferWriter<byte>();
        LiteralContext? context = null;
        using (var writer = new Utf8JsonWriter(buffer, DescriptorJson.WriterOptions(indented: false)))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Transport");
            string? guessSource;
            if (components.TryFindLiteral(tag, out Transports.TransportProvider? provider, out LiteralTag? literalTag))
            {
                context = new LiteralContext(literal, tag, rest, writer, literalTag.Example);
                Expand(provider, context);
                guessSource = context.EncodingSource;
            }
            else
            {
                Dictionary<string, string> examples = components.AllLiteralTags.GroupBy(t => t.Tag, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Example, StringComparer.Ordinal);
                string? suggestion = NameSuggester.Suggest(tag, tags);
                string shown = suggestion is not null && examples.TryGetValue(suggestion, out string? e) ? e : examples.GetValueOrDefault("kafka") ?? examples.Values.FirstOrDefault() ?? "file:/data/input.jsons";
                throw Fail(literal, $"'{tag}' in '{literal}' is not a known stream literal tag; known: {string.Join(", ", tags)}.{NameSuggester.DidYouMean(tag, tags)} Example: {shown}.");
            }

            writer.WritePropertyName("Encoding");
            string? encoding = GuessEncoding(guessSource, components);
            if (encoding is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(encoding);
            }

            foreach (KeyValuePair<string, string> field in context?.Fields ?? [])
            {
                writer.WritePropertyName(field.Key);
                using var value = JsonDocument.Parse(field.Value);
                value.RootElement.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Guesses the encoding from a literal's ending: the registered encoding declaring the longest matching
    /// <see cref="Encodings.EncodingProvider.FileEndings"/> entry (<c>.csv</c> → csv, a package's <c>.kv</c> → kv), else the
    /// FastScore rules below.
    /// </summary>
    /// <param name="source">The part of the literal that names the data (a path, topic or URL), or <see langword="null"/>.</param>
    /// <param name="components">The registered components.</param>
    /// <returns>The encoding's name, or <see langword="null"/> for raw bytes.</returns>
    internal static string? GuessEncoding(string? source, ComponentRegistry components)
    {
        if (source is null)
        {
            return EncodingTypes.Json;
        }

        string? best = null;
        int bestLength = 0;
        foreach (string name in components.EncodingNames)
        {
            if (components.TryGetEncoding(name, out Encodings.EncodingProvider? provider))
            {
                foreach (string ending in provider.FileEndings)
                {
                    if (ending.Length > bestLength && source.EndsWith(ending, StringComparison.OrdinalIgnoreCase))
                    {
                        (best, bestLength) = (provider.Type, ending.Length);
                    }
                }
            }
        }

        return best is null ? GuessEncoding(source)
            : best.Equals(EncodingTypes.Null, StringComparison.OrdinalIgnoreCase) ? null
            : best;
    }

    /// <summary>Guesses the encoding from a literal's ending.</summary>
    /// <param name="source">The part of the literal that names the data (a path, topic or URL), or <see langword="null"/>.</param>
    /// <returns><c>"json"</c>, <c>"avro-binary"</c>, <c>"utf-8"</c>, or <see langword="null"/> for <c>.bin</c> (raw bytes).</returns>
    public static string? GuessEncoding(string? source)
    {
        if (source is null)
        {
            return EncodingTypes.Json;
        }

        if (source.EndsWith(".avro", StringComparison.OrdinalIgnoreCase))
        {
            return EncodingTypes.AvroBinary;
        }

        if (source.EndsWith(".utf8", StringComparison.OrdinalIgnoreCase))
        {
            return EncodingTypes.Utf8;
        }

        return source.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? null : EncodingTypes.Json;
    }

    private static void Expand(Transports.TransportProvider provider, LiteralContext context)
    {
        try
        {
            provider.ExpandLiteral(context);
        }
        catch (DescriptorException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw context.Fail($"could not be expanded by the {provider.Type} transport ({ex.GetType().Name}: {ex.Message})");
        }
    }

    internal static void WriteInlineItem(Utf8JsonWriter writer, string literal, string item, bool binary)
    {
        if (!binary)
        {
            writer.WriteStringValue(item);
            return;
        }

        writer.WriteBase64StringValue(PercentDecode(literal, item));
    }

    /// <summary>Decodes <c>%xx</c> escapes to bytes; other characters become their UTF-8 bytes. A <c>+</c> stays a <c>+</c>.</summary>
    private static byte[] PercentDecode(string literal, string text)
    {
        var bytes = new List<byte>(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == '%')
            {
                if (i + 3 > text.Length
                    || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                {
                    throw Fail(literal, $"'{literal}' has a bad %-escape at '{text[i..Math.Min(text.Length, i + 3)]}': write each byte as %xx with two hex digits, e.g. inline-chunked:%06%02%04%06.");
                }

                bytes.Add(b);
                i += 3;
            }
            else
            {
                int next = text.IndexOf('%', i);
                int end = next < 0 ? text.Length : next;
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i..end]));
                i = end;
            }
        }

        return [.. bytes];
    }

    private static string Origin(string literal) => $"literal '{literal}'";

    private static DescriptorException Fail(string literal, string message) =>
        new([new DescriptorError(string.Empty, message)], Origin(literal));
}
