namespace NomadAutoscaler.Nomad;

/// <summary>The token lacks the ACL capability, or is unknown (HTTP 403).</summary>
public sealed class NomadPermissionDeniedException : NomadApiException
{
    /// <summary>Creates the exception from Nomad's error text.</summary>
    public NomadPermissionDeniedException(string nomadMessage, string method, string path) : base(403, nomadMessage, method, path) { }

    /// <summary>Creates the exception.</summary>
    public NomadPermissionDeniedException() : base(403, "", "", "") { }

    /// <summary>Creates the exception with a message only.</summary>
    public NomadPermissionDeniedException(string message) : base(403, message, "", "") { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NomadPermissionDeniedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Nomad's 403 names neither the call nor the capability; an operator running with a workload identity
    /// token needs both to fix the ACL policy, so the message adds them: <c>Unexpected response code: 403 (Permission
    /// denied): PUT /v1/job/web/scale needs the ACL namespace capability "scale-job"</c>.</summary>
    public override string Message => NomadMessage == "Permission denied" && RequiredCapability(Method, Path) is { } needed
        ? $"{base.Message}: {Method} {Path} needs the ACL {needed}"
        : base.Message;

    /// <summary>The capability Nomad checks for the calls plugins and the agent make (the first that suffices).</summary>
    private static string? RequiredCapability(string method, string path)
    {
        var read = method == "GET";
        if (path == "/v1/scaling/policies") return "namespace capability \"list-scaling-policies\"";
        if (path.StartsWith("/v1/scaling/policy/", StringComparison.Ordinal)) return "namespace capability \"read-scaling-policy\"";
        if (path.StartsWith("/v1/job/", StringComparison.Ordinal) && path.EndsWith("/scale", StringComparison.Ordinal))
            return read ? "namespace capability \"read-job-scaling\"" : "namespace capability \"scale-job\"";
        if (path.StartsWith("/v1/job/", StringComparison.Ordinal) || path.StartsWith("/v1/client/allocation/", StringComparison.Ordinal))
            return read ? "namespace capability \"read-job\"" : "namespace capability \"submit-job\"";
        if (path == "/v1/nodes" || path.StartsWith("/v1/node/", StringComparison.Ordinal))
            return read ? "node policy \"read\"" : "node policy \"write\"";
        if (path.StartsWith("/v1/var/", StringComparison.Ordinal))
            return $"variables capability \"{(read ? "read" : method == "DELETE" ? "destroy" : "write")}\" on path \"{path["/v1/var/".Length..]}\"";
        return null;
    }
}
