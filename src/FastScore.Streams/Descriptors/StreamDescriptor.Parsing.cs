using System.Text.Json;
using FastScore.Streams.Descriptors.Json;
using Microsoft.Extensions.Configuration;

namespace FastScore.Streams.Descriptors;

public sealed partial record StreamDescriptor
{
    /// <summary>Parses a descriptor from JSON text.</summary>
    /// <param name="json">The descriptor, e.g. <c>{"Transport": "REST", "Encoding": "json"}</c>.</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <returns>The validated descriptor, every default filled in.</returns>
    /// <exception cref="DescriptorException">The JSON is malformed, or the descriptor is invalid (every error is listed).</exception>
    public static StreamDescriptor Parse(string json, StreamDescriptorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ParseDocument(() => JsonDocument.Parse(json, DescriptorJson.DocumentOptions), options, origin: null);
    }

    /// <summary>Parses a descriptor from UTF-8 JSON bytes (a leading byte order mark is skipped).</summary>
    /// <param name="utf8Json">The descriptor as UTF-8 bytes.</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <returns>The validated descriptor, every default filled in.</returns>
    /// <exception cref="DescriptorException">The JSON is malformed, or the descriptor is invalid (every error is listed).</exception>
    public static StreamDescriptor Parse(ReadOnlySpan<byte> utf8Json, StreamDescriptorOptions? options = null)
    {
        if (utf8Json.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        JsonDocument? document = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, DescriptorJson.ReaderOptions);
            document = JsonDocument.ParseValue(ref reader);
            _ = reader.Read(); // throws on anything after the single top-level value
        }
        catch (JsonException ex)
        {
            document?.Dispose();
            throw new DescriptorException([JsonErrors.From(ex)]);
        }

        return ParseDocument(() => document, options, origin: null);
    }

    /// <summary>Parses a descriptor from a stream of UTF-8 JSON.</summary>
    /// <param name="utf8Json">The stream; read to its end, not disposed.</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <returns>The validated descriptor, every default filled in.</returns>
    /// <exception cref="DescriptorException">The JSON is malformed, or the descriptor is invalid (every error is listed).</exception>
    public static StreamDescriptor Parse(Stream utf8Json, StreamDescriptorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        return ParseDocument(() => JsonDocument.Parse(utf8Json, DescriptorJson.DocumentOptions), options, origin: null);
    }

    /// <summary>Parses a descriptor from a stream of UTF-8 JSON, reading it asynchronously.</summary>
    /// <param name="utf8Json">The stream; read to its end, not disposed.</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The validated descriptor, every default filled in.</returns>
    /// <exception cref="DescriptorException">The JSON is malformed, or the descriptor is invalid (every error is listed).</exception>
    public static async Task<StreamDescriptor> ParseAsync(Stream utf8Json, StreamDescriptorOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(utf8Json, DescriptorJson.DocumentOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new DescriptorException([JsonErrors.From(ex)]);
        }

        return ParseDocument(() => document, options, origin: null);
    }

    /// <summary>Parses a descriptor file.</summary>
    /// <param name="path">The file (UTF-8 JSON).</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <returns>The validated descriptor, every default filled in.</returns>
    /// <exception cref="DescriptorException">The JSON is malformed, or the descriptor is invalid; <see cref="DescriptorException.Origin"/> names the file.</exception>
    /// <exception cref="IOException">The file cannot be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static StreamDescriptor ParseFile(string path, StreamDescriptorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = File.OpenRead(path);
        return ParseDocument(() => JsonDocument.Parse(stream, DescriptorJson.DocumentOptions), options, origin: $"file {path}");
    }

    /// <summary>
    /// Reads a descriptor from a configuration section (e.g. <c>appsettings.json</c>). Configuration values are strings,
    /// so <c>"true"</c>, <c>"123"</c> and <c>"null"</c> are read as the bool, number or null the field wants, and arrays
    /// come as child keys <c>0</c>, <c>1</c>, ...
    /// </summary>
    /// <param name="section">The section holding the descriptor's fields.</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <returns>The validated descriptor, every default filled in.</returns>
    /// <exception cref="DescriptorException">The descriptor is invalid; <see cref="DescriptorException.Origin"/> names the section.</exception>
    public static StreamDescriptor FromConfiguration(IConfigurationSection section, StreamDescriptorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return FromNode(Node.FromConfiguration(section), options, $"configuration section '{section.Path}'");
    }

    /// <summary>
    /// Expands a stream literal (FastScore's CLI syntax, e.g. <c>file:/data/in.jsons</c>, <c>kafka:broker:9092/topic.json</c>,
    /// <c>inline:1,2,3</c>) into a validated descriptor; every field the literal does not give takes its default. The
    /// literal tags are those of the transports registered in <paramref name="options"/> (the core's without options).
    /// </summary>
    /// <param name="literal">The literal.</param>
    /// <param name="options">The registered components and schema library, or <see langword="null"/> for the core's.</param>
    /// <returns>The validated descriptor.</returns>
    /// <exception cref="DescriptorException">The literal is malformed (the message shows valid syntax) or names no registered transport.</exception>
    public static StreamDescriptor FromLiteral(string literal, StreamDescriptorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(literal);
        return StreamLiteral.Expand(literal, options);
    }

    /// <summary>
    /// Reads a command-line argument naming a stream: an existing descriptor file is parsed; text starting with
    /// <c>{</c> is parsed as descriptor JSON; otherwise text containing <c>:</c> is expanded as a stream literal
    /// (<see cref="FromLiteral"/>). Unlike <see cref="FromLiteral"/>, a <c>file:</c> literal may give a relative
    /// path (<c>file:data/in.jsons</c>), resolved against the current directory, as a command line expects.
    /// </summary>
    /// <param name="text">A file path, descriptor JSON, or a literal such as <c>kafka:broker:9092/topic.json</c>.</param>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <returns>The validated descriptor.</returns>
    /// <exception cref="DescriptorException">The file or literal is invalid, or the text is neither.</exception>
    public static StreamDescriptor FromArgument(string text, StreamDescriptorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (File.Exists(text))
        {
            return ParseFile(text, options);
        }

        if (text.TrimStart().StartsWith('{'))
        {
            return ParseDocument(() => JsonDocument.Parse(text, DescriptorJson.DocumentOptions), options, origin: "argument");
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return StreamLiteral.Expand(AbsoluteFileLiteral(text), options);
        }

        throw new DescriptorException(string.Empty, $"'{text}' is neither an existing descriptor file nor a stream literal; give a file, or a literal such as file:/data/input.jsons, kafka:broker:9092/topic.json or rest:.");
    }

    /// <summary>Rewrites <c>file:relative/path</c> as <c>file:/current/dir/relative/path</c>; other text is returned as is.</summary>
    private static string AbsoluteFileLiteral(string text)
    {
        string trimmed = text.Trim();
        if (!trimmed.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        string path = trimmed["file:".Length..];
        return path.Length == 0 || path.StartsWith("//", StringComparison.Ordinal) || System.IO.Path.IsPathFullyQualified(path)
            ? text
            : "file:" + System.IO.Path.GetFullPath(path);
    }

    /// <summary>Creates a fluent builder for a descriptor.</summary>
    /// <param name="options">The schema library and custom transport types used when building, or <see langword="null"/> for none.</param>
    /// <returns>A new builder.</returns>
    public static StreamDescriptorBuilder CreateBuilder(StreamDescriptorOptions? options = null) => new(options);

    /// <summary>Writes the canonical JSON form: PascalCase FastScore field names, lower-case type names, every default filled in, nothing masked.</summary>
    /// <param name="indented">Whether to indent the JSON.</param>
    /// <returns>JSON that <see cref="Parse(string, StreamDescriptorOptions?)"/> reads back into an equal descriptor.</returns>
    /// <remarks>Holds secrets as they are in the descriptor: use <see cref="ToDisplayJson"/> for logs and consoles.</remarks>
    public string ToJson(bool indented = true) => DescriptorJsonWriter.Write(this, JsonForm.Canonical, indented);

    /// <summary>Writes the canonical JSON form with secrets masked as <c>*****</c>, for logs and consoles.</summary>
    /// <param name="indented">Whether to indent the JSON.</param>
    /// <returns>The masked JSON.</returns>
    /// <remarks>
    /// Masked: S3 <c>SecretAccessKey</c> (always) and <c>AccessKeyID</c> (unless it is a <c>secret://</c> reference),
    /// <c>SAMLAssertion</c>, <c>PWD=</c>/<c>Password=</c> in ODBC connection strings, Kafka <c>Config</c> values whose
    /// key contains password, secret, sasl.jaas or ssl.key, HDFS Kerberos <c>Password</c>, passwords in URLs, and
    /// custom-transport fields whose name contains password, secret, token or credential.
    /// </remarks>
    public string ToDisplayJson(bool indented = true) => DescriptorJsonWriter.Write(this, JsonForm.Display, indented);

    /// <summary>Writes FastScore's internal, normalised form (lower snake_case keys, as <c>stream verify</c> printed it), secrets masked.</summary>
    /// <param name="indented">Whether to indent the JSON.</param>
    /// <returns>The internal JSON form.</returns>
    public string ToInternalJson(bool indented = true) => DescriptorJsonWriter.Write(this, JsonForm.Internal, indented);

    /// <summary>Re-validates a descriptor created with <c>new</c> or <c>with</c>: every value and consistency rule, and <c>$ref</c>s when a library is given.</summary>
    /// <param name="options">The schema library and custom transport types, or <see langword="null"/> for none.</param>
    /// <exception cref="DescriptorException">The descriptor is invalid (every error is listed).</exception>
    public void Validate(StreamDescriptorOptions? options = null)
    {
        var sink = new ErrorSink();
        _ = DescriptorFinisher.Complete(DescriptorDraft.From(this), options ?? StreamDescriptorOptions.Default, sink, origin: null);
    }

    /// <summary>Lists the problems of attaching this stream to a model slot: even slots are inputs and need a readable transport, odd slots are outputs and need a writable one.</summary>
    /// <param name="slot">The slot number (0, 2, 4, ... inputs; 1, 3, 5, ... outputs).</param>
    /// <returns>The errors (path <c>Transport</c> or <c>Schema</c>); empty when the stream fits the slot.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slot"/> is negative.</exception>
    public IReadOnlyList<DescriptorError> CheckSlot(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        var errors = new List<DescriptorError>();
        bool input = slot % 2 == 0;
        if (input && !Transport.CanRead)
        {
            errors.Add(new DescriptorError("Transport", $"a{An(Transport.Type)} {Transport.Type} transport cannot be an input, but slot {slot} is an input slot (even slots are inputs, odd slots are outputs){DirectionHint(input)}."));
        }
        else if (!input && !Transport.CanWrite)
        {
            errors.Add(new DescriptorError("Transport", $"a{An(Transport.Type)} {Transport.Type} transport cannot be an output, but slot {slot} is an output slot (even slots are inputs, odd slots are outputs){DirectionHint(input)}."));
        }

        if (!input && Encoding?.Type == EncodingTypes.Csv && Schema.Kind == SchemaKind.None)
        {
            errors.Add(new DescriptorError("Schema", $"a csv output needs a record schema to name its columns; found null (slot {slot} is an output slot)."));
        }

        return errors;
    }

    private string DirectionHint(bool input) => Transport.DirectionHint(input) is { Length: > 0 } hint ? "; " + hint : string.Empty;

    private static string An(string type) => type.Length > 0 && ("aeio".Contains(type[0], StringComparison.Ordinal) || type is "s3" or "hdfs" or "http") ? "n" : string.Empty;

    internal static StreamDescriptor FromNode(Node node, StreamDescriptorOptions? options, string? origin)
    {
        options ??= StreamDescriptorOptions.Default;
        var sink = new ErrorSink();
        try
        {
            DescriptorDraft draft = new DescriptorReader(sink, options).Read(node);
            return DescriptorFinisher.Complete(draft, options, sink, origin);
        }
        catch (Exception ex) when (ex is not (DescriptorException or OutOfMemoryException))
        {
            // A defect the descriptor exposed: still an error about the descriptor, never a crash of the caller.
            throw new DescriptorException([.. sink.Errors, new DescriptorError(string.Empty, $"the descriptor could not be read ({ex.GetType().Name}: {ex.Message}).")], origin);
        }
    }

    private static StreamDescriptor ParseDocument(Func<JsonDocument> parse, StreamDescriptorOptions? options, string? origin)
    {
        JsonDocument document;
        try
        {
            document = parse();
        }
        catch (JsonException ex)
        {
            throw new DescriptorException([JsonErrors.From(ex)], origin);
        }
        catch (ArgumentException ex)
        {
            // JsonDocument.Parse(string): the text itself is not valid UTF-16 (an unpaired surrogate character).
            throw new DescriptorException([new DescriptorError(string.Empty, $"the descriptor is not Unicode text: {ex.Message}")], origin);
        }

        using (document)
        {
            var sink = new ErrorSink();
            if (!DescriptorText.Check(document.RootElement, string.Empty, sink))
            {
                throw new DescriptorException(sink.Errors, origin);
            }

            return FromNode(Node.FromJson(document.RootElement), options, origin);
        }
    }
}
