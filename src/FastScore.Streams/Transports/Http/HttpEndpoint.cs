using System.Net.Http.Headers;
using System.Text;

namespace FastScore.Streams.Transports.Http;

/// <summary>
/// The URL of an HTTP input, split into what is sent and what is shown: credentials written in the URL
/// (<c>https://user:password@host/path</c>) are taken out of it and sent as a Basic <c>Authorization</c> header (which
/// HttpClient drops on a redirect to another host); everything shown (errors, logs, display names) is masked.
/// </summary>
internal sealed class HttpEndpoint
{
    private HttpEndpoint(Uri uri, AuthenticationHeaderValue? authorization, string display)
    {
        Uri = uri;
        Authorization = authorization;
        Display = display;
    }

    /// <summary>Gets the URL without credentials.</summary>
    public Uri Uri { get; }

    /// <summary>Gets the Basic credentials from the URL, or <see langword="null"/>.</summary>
    public AuthenticationHeaderValue? Authorization { get; }

    /// <summary>Gets the URL as shown: its secrets masked.</summary>
    public string Display { get; }

    /// <summary>Reads a URL.</summary>
    /// <param name="streamName">The stream's name, for errors.</param>
    /// <param name="url">The URL as written.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="StreamException">The URL is not an absolute http or https URL.</exception>
    public static HttpEndpoint Parse(string streamName, string url)
    {
        string display = Diagnostics.SafeText.MaskSecrets(url ?? "");
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new StreamException($"Stream '{streamName}': Transport.Url '{display}' is not an absolute http:// or https:// URL.") { StreamName = streamName };
        }

        AuthenticationHeaderValue? authorization = null;
        if (uri.UserInfo.Length > 0)
        {
            string userInfo = Uri.UnescapeDataString(uri.UserInfo);
            authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo.Contains(':', StringComparison.Ordinal) ? userInfo : userInfo + ":")));
            uri = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        }

        return new HttpEndpoint(uri, authorization, display);
    }
}
