using System.Security.Cryptography;
using System.Text;

namespace NomadAutoscaler.Simulator;

/// <summary>
/// One <c>PUT|POST /v1/job/:id/scale</c> call as the simulator saw it, accepted or not. HA tests use the
/// <see cref="Client"/> and <see cref="TokenFingerprint"/> to tell which agent instance scaled.
/// </summary>
/// <remarks>The token itself is never kept: only <see cref="Fingerprint"/> of it, so a secret cannot leak from a test log.</remarks>
public sealed record ScaleRequestRecord
{
    public required DateTimeOffset Time { get; init; }
    public required string Namespace { get; init; }
    public required string JobId { get; init; }
    public string? Group { get; init; }

    /// <summary>The requested count; null for a dry run or an error-only event.</summary>
    public long? Count { get; init; }

    /// <summary>The group count before the request (null when the job or group did not exist).</summary>
    public long? PreviousCount { get; init; }

    public string Message { get; init; } = "";
    public bool Error { get; init; }

    /// <summary>The HTTP status the simulator answered with (200 when accepted).</summary>
    public required int StatusCode { get; init; }

    /// <summary>The error body for a refused request.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The remote endpoint (<c>ip:port</c>) of the caller.</summary>
    public string Client { get; init; } = "";

    public string? UserAgent { get; init; }

    /// <summary><see cref="Fingerprint"/> of the ACL token sent, or null when none was sent.</summary>
    public string? TokenFingerprint { get; init; }

    public string? EvalId { get; init; }

    public bool Accepted => StatusCode == 200;

    /// <summary>A short, non-reversible name for a token: <c>sha256:</c> and the first 12 hex digits of its hash.</summary>
    public static string Fingerprint(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return "sha256:" + Convert.ToHexStringLower(hash)[..12];
    }
}
