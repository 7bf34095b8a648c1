namespace FastScore.Streams.Rest;

/// <summary>Settings of FastScore's engine REST API (<see cref="FastScoreEndpointRouteBuilderExtensions.MapFastScore(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, FastScore.Streams.Engine.ScoringEngine?, FastScoreRestOptions?)"/>).</summary>
public sealed class FastScoreRestOptions
{
    /// <summary>The prefix under which every path is served a second time, as FastScore's proxy serves an engine: <c>/api/1/service/{engine}</c>.</summary>
    public const string ProxyPrefix = "/api/1/service/{engine}";

    /// <summary>Gets or sets how long a round trip waits for the model's output when the request gives no <c>timeout</c> (or 0).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RoundTripTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the longest <c>timeout</c> a request may ask for (round trips, and the wait of <c>GET /1/job/output</c>).</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long any other request may take (queuing an input, sampling a stream) before it fails with 504.</summary>
    /// <value>The default value is 100 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Gets or sets the largest request body accepted, in bytes; a larger one gets 413.</summary>
    /// <value>The default value is 8 MiB (the default maximum record size of an envelope).</value>
    public long MaxRequestBodySize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Gets or sets the most bytes one <c>GET /1/job/output</c> returns from a chunked stream.</summary>
    /// <value>The default value is 1 MiB.</value>
    public int MaxResponseChunkSize { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets how long <c>POST /1/stream/sample</c> reads before returning what it has.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan SampleTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the user name of HTTP basic authentication; with <see cref="Password"/>, every request must carry them.</summary>
    /// <value>The default value is <see langword="null"/>: no basic authentication.</value>
    public string? UserName { get; set; }

    /// <summary>Gets or sets the password of HTTP basic authentication.</summary>
    public string? Password { get; set; }

    /// <summary>Gets or sets an API key: when set, every request must carry it in <c>X-API-Key</c> (or <c>Authorization: Bearer</c>). With basic authentication too, either is enough.</summary>
    /// <value>The default value is <see langword="null"/>: no API key.</value>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets a value indicating whether every path is also served under <see cref="ProxyPrefix"/>, so clients of FastScore's proxy (and the guide's curl commands) work unchanged.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ServeProxyPrefix { get; set; } = true;

    /// <summary>
    /// Gets or sets the folder that descriptors received over the API may read and write files in: a file
    /// <c>Path</c>, a <c>secret:///path</c> and a Kafka <c>Keytab</c> or <c>*.location</c> setting must resolve
    /// (through <c>..</c> and symbolic links) to this folder or below it, otherwise the request gets 403. Descriptors the
    /// host attaches itself are not restricted.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the process's working directory when the API is mapped.</value>
    public string? DataRoot { get; set; }

    /// <summary>
    /// Gets which transport types descriptors received over the API may use (type names match case-insensitively; a
    /// type not listed is <see cref="ApiTransportAccess.Refused"/>). The defaults: <c>rest</c>, <c>inline</c>,
    /// <c>discard</c>, <c>file</c> (under <see cref="DataRoot"/>), <c>kafka</c>, <c>s3</c>, <c>http</c> and <c>hdfs</c>
    /// are allowed; <c>console</c>, <c>exec</c>, <c>odbc</c>, <c>tcp</c> and <c>udp</c> are refused, as is any transport
    /// type the host registers, until the host allows it here.
    /// </summary>
    public IDictionary<string, ApiTransportAccess> TransportAccess { get; } = new Dictionary<string, ApiTransportAccess>(StringComparer.OrdinalIgnoreCase)
    {
        [RestTransportDescriptor.TypeName] = ApiTransportAccess.Allowed,
        ["inline"] = ApiTransportAccess.Allowed,
        ["discard"] = ApiTransportAccess.Allowed,
        ["file"] = ApiTransportAccess.Allowed,
        ["kafka"] = ApiTransportAccess.Allowed,
        ["s3"] = ApiTransportAccess.Allowed,
        ["http"] = ApiTransportAccess.Allowed,
        ["hdfs"] = ApiTransportAccess.Allowed,
        ["console"] = ApiTransportAccess.Refused,
        ["exec"] = ApiTransportAccess.Refused,
        ["odbc"] = ApiTransportAccess.Refused,
        ["tcp"] = ApiTransportAccess.Refused,
        ["udp"] = ApiTransportAccess.Refused,
    };

    /// <summary>Gets or sets how posted descriptors are read: the schema library for <c>{"$ref": name}</c> schemas and custom transport types.</summary>
    /// <value>The default value is <see langword="null"/>: the engine's <see cref="StreamFactoryOptions.CreateDescriptorOptions"/> (its registered components and schema library).</value>
    public Descriptors.StreamDescriptorOptions? DescriptorOptions { get; set; }

    /// <summary>
    /// Gets or sets how <c>PUT /2/active/model</c> (and FastScore's <c>PUT /1/job/model</c>) find the model a request
    /// names: the request body (or the <c>Content-Disposition: x-model; name="..."</c> header) is a model name, never
    /// code; the host decides which names exist. Return <see langword="null"/> for an unknown name (404); throw
    /// <see cref="ArgumentException"/> with a message for a model that cannot be created (400).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: models are not loaded over the API (501).</value>
    public Func<string, Engine.IModel?>? ModelResolver { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <c>PUT /2/engine/file?path=PATH</c> may write files under
    /// <see cref="DataRoot"/> (the Go CLI's <c>engine put</c>): a relative <c>PATH</c> is relative to the data root, an
    /// absolute one must resolve under it; an existing file is replaced only with <c>force=true</c> (409 otherwise).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: 403.</value>
    public bool AllowFileUpload { get; set; }
}
