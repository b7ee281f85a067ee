using System.Text;

namespace NomadAutoscaler.OpenStack;

/// <summary>Where and how to authenticate to Keystone v3, and which endpoints to use from the catalog.</summary>
/// <remarks>Either a user (<see cref="Username"/> or <see cref="UserId"/> with <see cref="Password"/>, scoped to a project)
/// or an application credential (<see cref="ApplicationCredentialId"/>, or its name with the user, plus the secret).
/// <see cref="ToString"/> never prints <see cref="Password"/> or <see cref="ApplicationCredentialSecret"/>.</remarks>
public sealed record OpenStackCredentials
{
    /// <summary>The region used when none is configured (as upstream os-nova).</summary>
    public const string DefaultRegion = "RegionOne";

    /// <summary>The catalog interface used when none is configured.</summary>
    public const string DefaultInterface = "public";

    /// <summary>Keystone URL, with or without the trailing <c>/v3</c>.</summary>
    public string? AuthUrl { get; init; }

    /// <summary>User name (needs a user domain).</summary>
    public string? Username { get; init; }

    /// <summary>User ID (needs no domain).</summary>
    public string? UserId { get; init; }

    /// <summary>The user's password (a secret).</summary>
    public string? Password { get; init; }

    /// <summary>The user's domain name; falls back to <see cref="DomainName"/>.</summary>
    public string? UserDomainName { get; init; }

    /// <summary>The user's domain ID; falls back to <see cref="DomainId"/>.</summary>
    public string? UserDomainId { get; init; }

    /// <summary>Domain of both the user and the project when the specific ones are not set (os-nova <c>domain_name</c>).</summary>
    public string? DomainName { get; init; }

    /// <summary>Domain ID of both the user and the project when the specific ones are not set.</summary>
    public string? DomainId { get; init; }

    /// <summary>Project ID to scope the token to (wins over the name).</summary>
    public string? ProjectId { get; init; }

    /// <summary>Project name to scope the token to (needs a project domain).</summary>
    public string? ProjectName { get; init; }

    /// <summary>The project's domain name; falls back to <see cref="DomainName"/>.</summary>
    public string? ProjectDomainName { get; init; }

    /// <summary>The project's domain ID; falls back to <see cref="DomainId"/>.</summary>
    public string? ProjectDomainId { get; init; }

    /// <summary>Application credential ID.</summary>
    public string? ApplicationCredentialId { get; init; }

    /// <summary>Application credential name (needs the user).</summary>
    public string? ApplicationCredentialName { get; init; }

    /// <summary>Application credential secret (a secret).</summary>
    public string? ApplicationCredentialSecret { get; init; }

    /// <summary>Catalog region of every service endpoint.</summary>
    public string RegionName { get; init; } = DefaultRegion;

    /// <summary>Catalog interface: <c>public</c>, <c>internal</c> or <c>admin</c>.</summary>
    public string Interface { get; init; } = DefaultInterface;

    /// <summary>A PEM bundle of CA certificates trusted instead of the system store.</summary>
    public string? CaCertFile { get; init; }

    /// <summary>Skip TLS certificate verification (tests only).</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>True when application-credential auth is configured.</summary>
    public bool UsesApplicationCredential =>
        !string.IsNullOrEmpty(ApplicationCredentialSecret)
        && (!string.IsNullOrEmpty(ApplicationCredentialId) || !string.IsNullOrEmpty(ApplicationCredentialName));

    /// <summary>Checks that the settings can authenticate; every problem is listed.</summary>
    /// <returns>The problems, empty when usable. Messages name the setting (as a config key) but never a secret value.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(AuthUrl))
            problems.Add("auth_url is required (or OS_AUTH_URL, or clouds.yaml auth.auth_url)");
        else if (!Uri.TryCreate(AuthUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            problems.Add($"auth_url \"{AuthUrl}\" is not an absolute http(s) URL");

        if (UsesApplicationCredential)
        {
            if (string.IsNullOrEmpty(ApplicationCredentialId) && string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(UserId))
                problems.Add("application_credential_name needs username (with a domain) or user_id");
        }
        else if (!string.IsNullOrEmpty(ApplicationCredentialId) || !string.IsNullOrEmpty(ApplicationCredentialName))
        {
            problems.Add("application_credential_secret is required with an application credential");
        }
        else
        {
            if (string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(UserId))
                problems.Add("username or user_id is required (or an application credential)");
            if (string.IsNullOrEmpty(Password))
                problems.Add("password is required for password authentication");
            if (!string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(UserId) && EffectiveUserDomainName is null && EffectiveUserDomainId is null)
                problems.Add("username needs a domain: set user_domain_name or domain_name");
            if (string.IsNullOrEmpty(ProjectId) && string.IsNullOrEmpty(ProjectName))
                problems.Add("project_id or project_name is required for password authentication");
            if (string.IsNullOrEmpty(ProjectId) && !string.IsNullOrEmpty(ProjectName) && EffectiveProjectDomainName is null && EffectiveProjectDomainId is null)
                problems.Add("project_name needs a domain: set project_domain_name or domain_name, or use project_id");
        }

        if (Interface is not ("public" or "internal" or "admin"))
            problems.Add($"interface \"{Interface}\" must be public, internal or admin");
        return problems;
    }

    internal string? EffectiveUserDomainName => NonEmpty(UserDomainName) ?? NonEmpty(DomainName);

    internal string? EffectiveUserDomainId => NonEmpty(UserDomainId) ?? NonEmpty(DomainId);

    internal string? EffectiveProjectDomainName => NonEmpty(ProjectDomainName) ?? NonEmpty(DomainName);

    internal string? EffectiveProjectDomainId => NonEmpty(ProjectDomainId) ?? NonEmpty(DomainId);

    /// <summary>The Keystone v3 base URL (always ending in <c>/v3</c>).</summary>
    internal Uri IdentityV3Url
    {
        get
        {
            var text = (AuthUrl ?? throw new InvalidOperationException("auth_url is not set")).TrimEnd('/');
            if (!text.EndsWith("/v3", StringComparison.Ordinal)) text += "/v3";
            return new Uri(text + "/");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder("OpenStackCredentials { ");
        sb.Append("AuthUrl = ").Append(AuthUrl);
        if (UsesApplicationCredential)
            sb.Append(", ApplicationCredential = ").Append(ApplicationCredentialId ?? ApplicationCredentialName).Append(", Secret = <redacted>");
        else
            sb.Append(", User = ").Append(UserId ?? Username).Append(", Password = ").Append(string.IsNullOrEmpty(Password) ? "<unset>" : "<redacted>")
              .Append(", Project = ").Append(ProjectId ?? ProjectName);
        sb.Append(", Region = ").Append(RegionName).Append(", Interface = ").Append(Interface).Append(" }");
        return sb.ToString();
    }
}
