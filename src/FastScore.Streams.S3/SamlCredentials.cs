using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.S3;

/// <summary>
/// Credentials from STS <c>AssumeRoleWithSAML</c> (the descriptor's <c>AssumeRoleWithSAML: {RoleArn, PrincipalArn,
/// SAMLAssertion}</c>). The assertion may be a <c>secret://</c> reference; it is read again at each refresh, so a process
/// that renews the secret file keeps long runs going.
/// </summary>
internal sealed class SamlCredentials : RefreshingAWSCredentials
{
    private const string Field = "Transport.AssumeRoleWithSAML";
    private readonly string _roleArn;
    private readonly string _principalArn;
    private readonly string _assertion;
    private readonly int? _durationSeconds;
    private readonly string _region;
    private readonly S3TransportOptions _options;

    private SamlCredentials(string roleArn, string principalArn, string assertion, int? durationSeconds, string region, S3TransportOptions options)
    {
        _roleArn = roleArn;
        _principalArn = principalArn;
        _assertion = assertion;
        _durationSeconds = durationSeconds;
        _region = region;
        _options = options;
        PreemptExpiryTime = TimeSpan.FromMinutes(2);
    }

    /// <summary>Parses the raw JSON of the descriptor field.</summary>
    /// <exception cref="DescriptorException">The field is not an object with RoleArn, PrincipalArn and SAMLAssertion.</exception>
    public static SamlCredentials Create(string json, S3TransportDescriptor descriptor, S3TransportOptions options)
    {
        string? role = null, principal = null, assertion = null;
        int? duration = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    switch (property.Name.ToUpperInvariant())
                    {
                        case "ROLEARN" when property.Value.ValueKind == JsonValueKind.String:
                            role = property.Value.GetString();
                            break;
                        case "PRINCIPALARN" when property.Value.ValueKind == JsonValueKind.String:
                            principal = property.Value.GetString();
                            break;
                        case "SAMLASSERTION" when property.Value.ValueKind == JsonValueKind.String:
                            assertion = property.Value.GetString();
                            break;
                        case "DURATIONSECONDS" when property.Value.ValueKind == JsonValueKind.Number:
                            duration = property.Value.GetInt32();
                            break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // reported below, without echoing the value (it may hold the assertion)
        }

        if (string.IsNullOrWhiteSpace(role) || string.IsNullOrWhiteSpace(principal) || string.IsNullOrWhiteSpace(assertion))
        {
            throw new DescriptorException(Field,
                "must be an object {\"RoleArn\": ..., \"PrincipalArn\": ..., \"SAMLAssertion\": ...} (the assertion base64-encoded, or a secret:// reference); " +
                "STS AssumeRoleWithSAML needs all three.");
        }

        return new SamlCredentials(role, principal, assertion, duration, descriptor.Region, options);
    }

    /// <inheritdoc />
    protected override CredentialsRefreshState GenerateNewCredentials() => GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    /// <inheritdoc />
    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        string assertion = S3Secrets.Resolve(_assertion, "AssumeRoleWithSAML.SAMLAssertion", _options.SecretResolver)
            ?? throw new StreamException($"{Field}: the SAML assertion is empty.");
        var config = new AmazonSecurityTokenServiceConfig();
        if (_options.StsServiceUrl is { } url)
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = _region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(_region);
        }

        // AssumeRoleWithSAML is not signed: the SAML assertion is the proof of identity.
        using var sts = new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), config);
        try
        {
            AssumeRoleWithSAMLResponse response = await sts.AssumeRoleWithSAMLAsync(new AssumeRoleWithSAMLRequest
            {
                RoleArn = _roleArn,
                PrincipalArn = _principalArn,
                SAMLAssertion = assertion,
                DurationSeconds = _durationSeconds,
            }).ConfigureAwait(false);
            Credentials c = response.Credentials;
            return new CredentialsRefreshState(new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken),
                c.Expiration?.ToUniversalTime() ?? DateTime.UtcNow.AddMinutes(15));
        }
        catch (AmazonServiceException ex)
        {
            throw new S3StreamException($"STS AssumeRoleWithSAML for role {_roleArn} failed: {ex.Message} ({ex.ErrorCode}, HTTP {(int)ex.StatusCode}).", ex, S3Errors.IsTransient(ex));
        }
    }
}
