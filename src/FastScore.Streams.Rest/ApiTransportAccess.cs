namespace FastScore.Streams.Rest;

/// <summary>
/// How descriptors received over the engine API (<c>PUT /2/active/stream</c>, <c>POST /1/stream/sample</c>) may use a
/// transport type: the per-transport decision of <see cref="FastScoreRestOptions.TransportAccess"/>. Descriptors given
/// by the host itself (the <c>fastscore serve</c> command line, <c>engine.Attach</c>) are not subject to it.
/// </summary>
public enum ApiTransportAccess
{
    /// <summary>Refused with 403: the transport runs programs, uses the server's console or opens ports on the machine.</summary>
    Refused,

    /// <summary>Allowed as an input (and for sampling), refused as an output.</summary>
    ReadOnly,

    /// <summary>Allowed. Every local path it names must still resolve under <see cref="FastScoreRestOptions.DataRoot"/>.</summary>
    Allowed,
}
