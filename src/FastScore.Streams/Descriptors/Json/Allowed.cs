namespace FastScore.Streams.Descriptors.Json;

/// <summary>The "what is allowed" half of error messages, shared by the reader and the validator.</summary>
internal static class Allowed
{
    public const string Port = "an integer from 1 to 65535";
    public const string ListenPort = "an integer from 0 to 65535 (0 lets the system choose; listening only)";
    public const string NonNegativeInt = "a non-negative integer";
    public const string NonNegativeIntOrNull = "a non-negative integer or null";
    public const string PositiveInt = "a positive integer";
    public const string PositiveIntOrNull = "a positive integer or null";
    public const string Milliseconds = "a non-negative number of milliseconds";
    public const string MillisecondsOrNull = "a non-negative number of milliseconds or null";
    public const string Bool = "true or false";
    public const string String = "a string";
    public const string StringOrNull = "a string or null";
    public const string NonEmptyString = "a non-empty string";
    public const string StringArray = "an array of strings";
    public const string SkipToRecord = "a record number (a non-negative integer), \"earliest\", \"latest\" or null";
    public const string Batching = "\"normal\", \"explicit\", null or {\"Watermark\": n, \"NagleTime\": ms}";
    public const string Schema = "an Avro schema (a type name, an object or an array), {\"$ref\": \"name\"}, \"$inherit\" or null";
    public const string Transport = "an object with a Type, or a type name such as \"REST\" or \"discard\"";
    public const string Envelope = "an envelope name (delimited, fixed, ocf-block, delimited-csv), an object with a Type, or null";
    public const string Encoding = "an encoding name (json, utf-8, csv, msgpack, avro-binary, soap-rpc), an object with a Type, or null";
    public const string OnOversize = "\"reject\" (or \"skip\"), \"fail\" or \"truncate\"";
    public const string Version = "a version string \"1.x\" (\"1.2\" is current)";
}
