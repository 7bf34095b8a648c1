using System.Net;

namespace FastScore.Cli;

/// <summary>What a running engine's error answers mean for the user of a client verb, with what to do about them.</summary>
internal static class EngineAnswers
{
    /// <summary>
    /// An error answer as one line: status, the engine's text, and a hint where there is one (401: give credentials
    /// with <c>-u</c>; 403: the credentials are not allowed; 404 without a reason: not an engine).
    /// </summary>
    public static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
        if (body.Length > 300)
        {
            body = body[..300] + "...";
        }

        string status = $"{(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}";
        string hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => response.RequestMessage?.Headers.Authorization is null && !(response.RequestMessage?.Headers.Contains("X-API-Key") ?? false)
                ? $"the engine requires credentials: give -u user:password (or --user-file, or {CliCredentials.UserVariable}), or --api-key"
                : "the engine refused these credentials: check -u user:password (or --api-key)",
            HttpStatusCode.Forbidden => "the engine refused this request for these credentials",
            HttpStatusCode.NotFound when body.Length == 0 => "no such endpoint: is --url an engine (fastscore serve, or FastScore's /api/1/service/<engine>)?",
            _ => string.Empty,
        };
        string line = string.Join(": ", new[] { status, body, hint }.Where(part => part.Length > 0));
        return Streams.Diagnostics.SafeText.MaskSecrets(string.Join(" ", line.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
    }
}
