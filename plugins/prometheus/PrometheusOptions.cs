using System.ComponentModel.DataAnnotations;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Prometheus;

/// <summary>The <c>apm "prometheus" { config = {...} }</c> block. Keys and meaning follow upstream's plugin; see README.md.</summary>
public sealed class PrometheusOptions : IValidatableObject
{
    /// <summary>Prefix of the keys whose remainder is an HTTP header name (<c>header_X-Scope-OrgID = "tenant"</c>).</summary>
    public const string HeaderKeyPrefix = "header_";

    /// <summary>Base URL of the Prometheus HTTP API, e.g. <c>http://prometheus.example:9090</c>; a path prefix is kept.</summary>
    [Required]
    public string? Address { get; set; }

    /// <summary>User for HTTP basic authentication.</summary>
    public string? BasicAuthUser { get; set; }

    /// <summary>Password for HTTP basic authentication. Never logged, never part of an error.</summary>
    public string? BasicAuthPassword { get; set; }

    /// <summary>Path of a PEM file with the CA certificate(s) that sign the server's certificate. When set, only these
    /// CAs are trusted (as upstream, which replaces the system roots).</summary>
    public string? CaCert { get; set; }

    /// <summary>Accept any server certificate. Wins over <see cref="CaCert"/>.</summary>
    public bool SkipVerify { get; set; }

    /// <summary>Limit for one query round trip (upstream's fixed 10 s). Not an upstream key.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra request headers from the <c>header_&lt;Name&gt;</c> keys, by header name. Values may be secrets
    /// (tokens) and are never logged.</summary>
    [ConfigKeyPrefix(HeaderKeyPrefix)]
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Address) && AddressProblem(Address) is { } problem)
            yield return new ValidationResult(problem, [nameof(Address)]);
        if (Timeout <= TimeSpan.Zero)
            yield return new ValidationResult("must be a positive duration, for example 10s", [nameof(Timeout)]);
        foreach (var name in Headers.Keys)
        {
            if (!IsToken(name))
                yield return new ValidationResult($"\"{name}\" is not a valid HTTP header name", [nameof(Headers)]);
        }
    }

    /// <summary>The parsed <see cref="Address"/>; valid once validation passed.</summary>
    internal Uri AddressUri => new(Address!.Trim(), UriKind.Absolute);

    private static string? AddressProblem(string address)
    {
        if (!Uri.TryCreate(address.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return $"\"{Redact(address)}\" is not an http:// or https:// URL (for example http://127.0.0.1:9090)";
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            return $"\"{WithoutUserInfo(uri)}\" must not have a query or fragment";
        return null;
    }

    // RFC 9110 token characters: what a header field name may contain.
    private static bool IsToken(string name)
        => name.Length > 0 && name.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)));

    // A value that is not an http URL may still carry "user:password@"; mask everything before the "@" (after "//").
    private static string Redact(string address)
    {
        var at = address.LastIndexOf('@');
        if (at < 0) return address;
        var scheme = address.IndexOf("//", StringComparison.Ordinal);
        var start = scheme >= 0 && scheme < at ? scheme + 2 : 0;
        return string.Concat(address.AsSpan(0, start), "***", address.AsSpan(at));
    }

    /// <summary>The URL for messages and logs: credentials embedded in it are never shown.</summary>
    internal static string WithoutUserInfo(Uri uri)
        => uri.UserInfo.Length == 0 ? uri.ToString() : new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
}
