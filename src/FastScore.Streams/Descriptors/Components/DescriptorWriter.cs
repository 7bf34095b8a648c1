using System.Text.Json;
using FastScore.Streams.Descriptors.Json;
using FastScore.Streams.Diagnostics;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// Writes the fields of one part of a descriptor back as JSON: the canonical form (<see cref="StreamDescriptor.ToJson"/>,
/// which parses back to an equal descriptor), the display form (<see cref="StreamDescriptor.ToDisplayJson"/>, what
/// <c>fastscore stream verify</c> prints) or FastScore's internal snake_case form. Field names are given in PascalCase
/// and converted for the internal form; the <c>Write*Secret</c> and <see cref="WriteUrl"/> methods mask what must not
/// be shown in the display and internal forms.
/// </summary>
public sealed class DescriptorWriter
{
    internal static readonly string[] CustomSecretWords = ["password", "secret", "token", "credential", "passwd"];
    private readonly Utf8JsonWriter _writer;
    private readonly JsonForm _form;

    internal DescriptorWriter(Utf8JsonWriter writer, JsonForm form)
    {
        _writer = writer;
        _form = form;
    }

    /// <summary>Gets a value indicating whether secrets are masked (display and internal forms).</summary>
    public bool MasksSecrets => _form != JsonForm.Canonical;

    /// <summary>Gets the underlying JSON writer, for values no other method writes (write property names through <see cref="Name"/>).</summary>
    public Utf8JsonWriter Json => _writer;

    /// <summary>Gets the property name to write for a PascalCase field name (lower snake_case in the internal form).</summary>
    /// <param name="field">The field name, e.g. <c>BootstrapServers</c>.</param>
    /// <returns>The name to write.</returns>
    public string Name(string field) => _form == JsonForm.Internal ? DescriptorJsonWriter.ToSnakeCase(field) : field;

    /// <summary>Writes a string field (null writes JSON null).</summary>
    /// <param name="field">The field name.</param>
    /// <param name="value">The value.</param>
    public void WriteString(string field, string? value) => _writer.WriteString(Name(field), value);

    /// <summary>Writes a secret: <c>*****</c> in the display forms unless it is a <c>secret://</c> reference.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="value">The secret, or <see langword="null"/>.</param>
    public void WriteSecret(string field, string? value) =>
        _writer.WriteString(Name(field), MasksSecrets && value is not null && !SecretResolver.IsSecretReference(value) ? SafeText.Mask : value);

    /// <summary>Writes a URL or connection string with the secrets inside it (passwords, tokens, user info) masked in the display forms.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="value">The URL, or <see langword="null"/>.</param>
    public void WriteUrl(string field, string? value) =>
        _writer.WriteString(Name(field), MasksSecrets && value is not null ? SafeText.MaskSecrets(value) : value);

    /// <summary>Writes a boolean field.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="value">The value.</param>
    public void WriteBoolean(string field, bool value) => _writer.WriteBoolean(Name(field), value);

    /// <summary>Writes a number field (null writes JSON null).</summary>
    /// <param name="field">The field name.</param>
    /// <param name="value">The value.</param>
    public void WriteNumber(string field, long? value)
    {
        if (value is { } v)
        {
            _writer.WriteNumber(Name(field), v);
        }
        else
        {
            _writer.WriteNull(Name(field));
        }
    }

    /// <summary>Writes an array of strings (null writes JSON null).</summary>
    /// <param name="field">The field name.</param>
    /// <param name="values">The strings.</param>
    public void WriteStrings(string field, IEnumerable<string>? values)
    {
        if (values is null)
        {
            _writer.WriteNull(Name(field));
            return;
        }

        _writer.WriteStartArray(Name(field));
        foreach (string value in values)
        {
            _writer.WriteStringValue(value);
        }

        _writer.WriteEndArray();
    }

    /// <summary>Writes a map of settings sorted by key (keys are written as they are); values of secret keys are masked, and secrets inside other values, in the display forms.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="values">The settings.</param>
    /// <param name="isSecretKey">Says which keys hold secrets.</param>
    public void WriteMap(string field, IEnumerable<KeyValuePair<string, string>> values, Func<string, bool> isSecretKey)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(isSecretKey);
        _writer.WriteStartObject(Name(field));
        foreach (KeyValuePair<string, string> entry in values.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            _writer.WriteString(entry.Key, !MasksSecrets ? entry.Value : isSecretKey(entry.Key) ? SafeText.Mask : SafeText.MaskSecrets(entry.Value));
        }

        _writer.WriteEndObject();
    }

    /// <summary>
    /// Writes a JSON value kept as text (null writes JSON null). In the display forms, string and number values under a
    /// key containing one of <paramref name="secretWords"/> (or password, secret, token, credential, passwd when
    /// none are given) are masked, and secrets inside other strings.
    /// </summary>
    /// <param name="field">The field name; keys inside the value are written as they are.</param>
    /// <param name="json">The JSON text.</param>
    /// <param name="secretWords">Words that make a key secret (case-insensitive), or <see langword="null"/> for the defaults.</param>
    public void WriteJson(string field, string? json, IReadOnlyList<string>? secretWords = null)
    {
        _writer.WritePropertyName(Name(field));
        if (json is null)
        {
            _writer.WriteNullValue();
            return;
        }

        using var document = JsonDocument.Parse(json);
        WriteJsonValue(document.RootElement, secretWords);
    }

    /// <summary>Writes a JSON value (after <see cref="Name"/> or inside an array), masked as in <see cref="WriteJson"/>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="secretWords">Words that make a key secret, or <see langword="null"/> for the defaults.</param>
    public void WriteJsonValue(JsonElement value, IReadOnlyList<string>? secretWords = null) =>
        WriteMasked(value, secretWords ?? CustomSecretWords, keyIsSecret: false);

    /// <summary>Starts a nested object field; end it with <see cref="WriteEndObject"/>.</summary>
    /// <param name="field">The field name.</param>
    public void WriteStartObject(string field) => _writer.WriteStartObject(Name(field));

    /// <summary>Ends a nested object started by <see cref="WriteStartObject"/>.</summary>
    public void WriteEndObject() => _writer.WriteEndObject();

    internal static bool IsSecretKey(string key, IReadOnlyList<string> words) => words.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase));

    internal void WriteMasked(JsonElement element, IReadOnlyList<string> secretWords, bool keyIsSecret)
    {
        if (!MasksSecrets)
        {
            element.WriteTo(_writer);
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                _writer.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    _writer.WritePropertyName(property.Name);
                    WriteMasked(property.Value, secretWords, IsSecretKey(property.Name, secretWords));
                }

                _writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                _writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    WriteMasked(item, secretWords, keyIsSecret);
                }

                _writer.WriteEndArray();
                break;
            case JsonValueKind.String or JsonValueKind.Number when keyIsSecret:
                _writer.WriteStringValue(SafeText.Mask);
                break;
            case JsonValueKind.String:
                _writer.WriteStringValue(SafeText.MaskSecrets(element.GetString()!));
                break;
            default:
                element.WriteTo(_writer);
                break;
        }
    }
}
