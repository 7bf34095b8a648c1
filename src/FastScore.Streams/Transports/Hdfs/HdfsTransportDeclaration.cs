using System.Globalization;
using System.Text.Json;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Transports.Hdfs;

/// <summary>
/// HDFS (FastScore v1.9): a declared name, not a transport. Its descriptors are read and checked here (NameNode, Path,
/// Kerberos Authentication) and kept as JSON, so FastScore's descriptors stay valid; no provider is registered, so
/// <c>stream verify</c> and the stream factory say that this build cannot run it (there is no HDFS client, and no HDFS
/// server to test one against). A package that implements HDFS registers a provider named <c>hdfs</c>, which is used instead.
/// </summary>
internal sealed class HdfsTransportDeclaration : TransportProvider
{
    private static readonly string[] s_kerberosFields = ["Type", "Realm", "KDCHost", "Principal", "Password", "Timeout"];

    public static HdfsTransportDeclaration Instance { get; } = new();

    public override string Type => "hdfs";

    public override IReadOnlyList<string>? Fields => ["NameNode", "Path", "Authentication"];

    public override bool IsSeekable => true;

    protected internal override TransportDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        string nameNode = fields.RequiredString("NameNode");
        if (fields.Has("NameNode") && !IsHostPort(nameNode))
        {
            fields.Errors.Add("NameNode", $"must be \"host[:port]\" (the port defaults to 9000); found {DescriptorErrors.Quote(nameNode)}.");
        }

        string path = fields.RequiredString("Path");
        if (fields.Has("Path") && !path.StartsWith('/'))
        {
            fields.Errors.Add("Path", $"must be an absolute HDFS path, e.g. \"/data/input.jsons\"; found {DescriptorErrors.Quote(path)}.");
        }

        if (fields.TryGet("Authentication", out DescriptorValue auth) && !auth.IsNull)
        {
            ReadKerberos(auth, fields.Errors);
        }

        return fields.ToCustomDescriptor(preservesRecordBoundaries: false, isSeekable: true, canRead: true, canWrite: true);
    }

    private static void ReadKerberos(DescriptorValue auth, DescriptorErrors errors)
    {
        if (auth.Kind != JsonValueKind.Object)
        {
            errors.Add("Authentication", $"expected null or {{\"Type\": \"Kerberos\", \"Realm\": ..., \"KDCHost\": ..., \"Principal\": ..., \"Password\": ...}}; found {auth.Describe()}.");
            return;
        }

        var given = new Dictionary<string, DescriptorValue>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, DescriptorValue> property in auth.Properties())
        {
            string field = "Authentication." + property.Key;
            if (!s_kerberosFields.Contains(property.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add(field, $"unknown field of a Kerberos authentication; known fields: {string.Join(", ", s_kerberosFields)}.{DescriptorErrors.DidYouMean(property.Key, s_kerberosFields)}");
            }
            else
            {
                given[property.Key] = property.Value;
            }
        }

        foreach (string name in (string[])["Type", "Realm", "KDCHost", "Principal", "Password"])
        {
            string field = "Authentication." + name;
            if (!given.TryGetValue(name, out DescriptorValue value))
            {
                errors.Add(field, "required field is missing; expected a non-empty string.");
            }
            else if (value.Kind != JsonValueKind.String || value.GetString().Length == 0)
            {
                errors.Add(field, $"expected a non-empty string; found {value.Describe()}.");
            }
            else if (name == "Type" && !value.GetString().Trim().Equals("Kerberos", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(field, $"expected \"Kerberos\" (the only HDFS authentication); found {DescriptorErrors.Quote(value.GetString())}.");
            }
            else if (name == "KDCHost" && !IsHostPort(value.GetString()))
            {
                errors.Add(field, $"must be \"host[:port]\" (the port defaults to 88); found {DescriptorErrors.Quote(value.GetString())}.");
            }
        }

        if (given.TryGetValue("Timeout", out DescriptorValue timeout) && !timeout.IsNull
            && !(long.TryParse(timeout.GetScalarText(), NumberStyles.None, CultureInfo.InvariantCulture, out long ms) && ms <= int.MaxValue
                 && (timeout.Kind == JsonValueKind.Number || timeout.IsFromConfiguration)))
        {
            errors.Add("Authentication.Timeout", $"expected a non-negative number of milliseconds or null; found {timeout.Describe()}.");
        }
    }

    private static bool IsHostPort(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        int colon = text.LastIndexOf(':');
        bool bracketed = text.StartsWith('[');
        if (colon > 0 && (!bracketed || text.IndexOf(']', StringComparison.Ordinal) < colon))
        {
            return int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535;
        }

        return !text.Contains(' ', StringComparison.Ordinal);
    }
}
