using System.Globalization;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>
/// Reads one descriptor value of an expected type, reporting a wrong one at its full path as
/// <c>expected {allowed}; found {what}.</c> Shared by <see cref="DescriptorReader"/> (the stream's own fields) and
/// <see cref="DescriptorFields"/> (the fields of a transport, an envelope or an encoding), so both read and report alike.
/// </summary>
internal static class NodeValues
{
    /// <summary>JSON null; in configuration also "", "null" and a key without value or children (appsettings.json null, {} or []).</summary>
    public static bool IsNull(Node node) => node.Kind is NodeKind.Null or NodeKind.Empty || node.IsLooseNull;

    public static bool TryString(Node node, string path, string allowed, ErrorSink sink, out string value)
    {
        if (node.Kind == NodeKind.String)
        {
            value = node.GetString();
            return true;
        }

        value = string.Empty;
        sink.Error(path, $"expected {allowed}; found {node.Describe()}.");
        return false;
    }

    /// <summary>A string or null; unlike <see cref="IsNull"/>, "" in configuration is the empty string.</summary>
    public static bool TryNullableString(Node node, string path, ErrorSink sink, out string? value)
    {
        if (node.Kind is NodeKind.Null or NodeKind.Empty || node.IsLooseNullWord)
        {
            value = null;
            return true;
        }

        bool ok = TryString(node, path, Allowed.StringOrNull, sink, out string text);
        value = ok ? text : null;
        return ok;
    }

    public static bool TryBool(Node node, string path, ErrorSink sink, out bool value)
    {
        switch (node.Kind)
        {
            case NodeKind.True:
                value = true;
                return true;
            case NodeKind.False:
                value = false;
                return true;
            case NodeKind.String when node.IsLoose && bool.TryParse(node.GetString().Trim(), out value):
                return true;
        }

        value = false;
        sink.Error(path, $"expected {Allowed.Bool}; found {node.Describe()}.");
        return false;
    }

    public static bool TryInt64(Node node, string path, string allowed, long min, long max, ErrorSink sink, out long value)
    {
        string? text = node.Kind switch
        {
            NodeKind.Number => node.GetNumberText(),
            NodeKind.String when node.IsLoose => node.GetString().Trim(),
            _ => null,
        };
        if (text is not null && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        value = 0;
        sink.Error(path, $"expected {allowed}; found {node.Describe()}.");
        return false;
    }

    /// <summary>An array of strings (a configuration key without children is an empty array); a wrong item is reported at its index.</summary>
    public static IReadOnlyList<string> StringArray(Node node, string path, ErrorSink sink)
    {
        if (node.Kind is not (NodeKind.Array or NodeKind.Empty))
        {
            sink.Error(path, $"expected {Allowed.StringArray}; found {node.Describe()}.");
            return [];
        }

        var list = new List<string>();
        int i = 0;
        foreach (Node item in node.Items())
        {
            if (TryString(item, DescriptorPath.Index(path, i++), Allowed.String, sink, out string value))
            {
                list.Add(value);
            }
        }

        return list;
    }
}
