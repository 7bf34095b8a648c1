using System.Buffers;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Diagnostics;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>Which JSON form to write.</summary>
internal enum JsonForm
{
    /// <summary>PascalCase FastScore field names, every default filled in, nothing masked: parses back to an equal descriptor.</summary>
    Canonical,

    /// <summary>As <see cref="Canonical"/>, with secrets masked.</summary>
    Display,

    /// <summary>FastScore's internal lower snake_case form, with secrets masked.</summary>
    Internal,
}

/// <summary>Writes a <see cref="StreamDescriptor"/> as JSON.</summary>
internal static class DescriptorJsonWriter
{
    public const string Mask = SafeText.Mask;

    public static string Write(StreamDescriptor descriptor, JsonForm form, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, DescriptorJson.WriterOptions(indented)))
        {
            new Context(writer, form).WriteDescriptor(descriptor);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>PascalCase → lower snake_case, keeping acronyms together: <c>AccessKeyID</c> → <c>access_key_id</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                char previous = name[i - 1];
                bool nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    sb.Append('_');
                }
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    private readonly struct Context(Utf8JsonWriter writer, JsonForm form)
    {
        private bool Masked => form != JsonForm.Canonical;

        private string N(string pascal) => form == JsonForm.Internal ? ToSnakeCase(pascal) : pascal;

        public void WriteDescriptor(StreamDescriptor d)
        {
            writer.WriteStartObject();
            if (form != JsonForm.Internal)
            {
                writer.WriteString("Version", d.Version);
                if (d.Description is not null)
                {
                    writer.WriteString("Description", d.Description);
                }
            }

            writer.WritePropertyName(N("Transport"));
            WriteTransport(d.Transport);
            writer.WriteBoolean(N("Loop"), d.Loop);
            WriteNullableNumber(N("SkipTo"), d.SkipTo);
            writer.WritePropertyName(N("SkipToRecord"));
            switch (d.SkipToRecord)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case { Kind: RecordPositionKind.Offset } p:
                    writer.WriteNumberValue(p.Offset);
                    break;
                case { } p:
                    writer.WriteStringValue(p.ToString());
                    break;
            }

            writer.WritePropertyName(N("Envelope"));
            WriteEnvelope(d.Envelope);
            writer.WritePropertyName(N("Encoding"));
            WriteEncoding(d.Encoding);
            writer.WritePropertyName(N("Schema"));
            WriteSchema(d.Schema);
            writer.WritePropertyName(N("Batching"));
            writer.WriteStartObject();
            WriteNullableNumber(N("Watermark"), d.Batching.Watermark);
            WriteNullableNumber(N("NagleTime"), d.Batching.NagleTime);
            writer.WriteEndObject();
            WriteNullableNumber(N("LingerTime"), d.LingerTime);
            writer.WriteEndObject();
        }

        private void WriteTransport(TransportDescriptor transport)
        {
            writer.WriteStartObject();
            writer.WriteString(N("Type"), transport.Type);
            transport.WriteFields(new DescriptorWriter(writer, form));
            writer.WriteEndObject();
        }

        private void WriteEnvelope(EnvelopeDescriptor? envelope)
        {
            if (envelope is null)
            {
                writer.WriteNullValue();
                return;
            }

            writer.WriteStartObject();
            writer.WriteString(N("Type"), envelope.Type);
            envelope.WriteFields(new DescriptorWriter(writer, form));
            writer.WriteNumber(N("MaxRecordSize"), envelope.MaxRecordSize);
            writer.WriteString(N("OnOversize"), envelope.OnOversize.ToString().ToLowerInvariant());
            writer.WriteEndObject();
        }

        private void WriteEncoding(EncodingDescriptor? encoding)
        {
            if (encoding is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                encoding.Write(new DescriptorWriter(writer, form));
            }
        }

        private void WriteSchema(SchemaReference schema)
        {
            switch (schema.Kind)
            {
                case SchemaKind.Inherit:
                    writer.WriteStringValue("$inherit");
                    break;
                case SchemaKind.None:
                    writer.WriteNullValue();
                    break;
                case SchemaKind.Reference:
                    writer.WriteStartObject();
                    writer.WriteString("$ref", schema.Name);
                    writer.WriteEndObject();
                    break;
                default:
                    using (var document = JsonDocument.Parse(schema.Json ?? "null"))
                    {
                        document.RootElement.WriteTo(writer);
                    }

                    break;
            }
        }

        private void WriteStrings(string name, IReadOnlyList<string> values)
        {
            writer.WritePropertyName(name);
            writer.WriteStartArray();
            foreach (string value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        private void WriteNullableNumber(string name, long? value)
        {
            if (value is { } v)
            {
                writer.WriteNumber(name, v);
            }
            else
            {
                writer.WriteNull(name);
            }
        }
    }
}
