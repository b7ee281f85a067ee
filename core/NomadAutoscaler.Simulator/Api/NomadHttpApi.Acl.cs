using System.Text;
using Microsoft.AspNetCore.Http;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>
/// ACL mode: the management token may do anything; a token of <see cref="SimulatorOptions.AclTokens"/> only what its
/// policy grants, checked per endpoint with the capabilities Nomad's RPC handlers check.
/// </summary>
internal sealed partial class NomadHttpApi
{
    private readonly Dictionary<string, AclPolicy> _aclPolicies;

    private bool AclEnabled => !string.IsNullOrEmpty(_options.ManagementToken) || _options.AclTokens.Count > 0;

    private void Authorize(HttpContext context, string path, ApiQuery query)
    {
        if (!AclEnabled)
        {
            return;
        }

        var token = RequestToken(context);
        if (string.IsNullOrEmpty(token))
        {
            throw new NomadError(403, "Permission denied");
        }

        if (IsManagement(token))
        {
            return;
        }

        var policy = _aclPolicies.FirstOrDefault(p => FixedTimeEquals(token, p.Key)).Value ?? throw new NomadError(403, "ACL token not found");
        if (!Allowed(policy, context.Request.Method, path, query))
        {
            throw new NomadError(403, "Permission denied");
        }
    }

    /// <summary>With ACLs disabled every caller counts as management, as in Nomad.</summary>
    private bool IsManagement(HttpContext context) =>
        !AclEnabled || (RequestToken(context) is { Length: > 0 } token && IsManagement(token));

    private bool IsManagement(string token) => !string.IsNullOrEmpty(_options.ManagementToken) && FixedTimeEquals(token, _options.ManagementToken);

    private bool Allowed(AclPolicy policy, string method, string path, ApiQuery query)
    {
        var read = method == "GET";
        bool Ns(params string[] anyOf) => anyOf.Any(c => query.Namespace == "*"
            ? ClusterNamespaces().Any(ns => policy.AllowNamespace(ns, c))
            : policy.AllowNamespace(query.Namespace, c));

        if (path == "/v1/nodes" || path.StartsWith("/v1/node/", StringComparison.Ordinal))
        {
            return AclPolicy.Allows(policy.NodePolicy, write: !read);
        }

        if (path == "/v1/agent/self")
        {
            return AclPolicy.Allows(policy.AgentPolicy, write: false);
        }

        if (path == "/v1/scaling/policies")
        {
            return Ns("list-scaling-policies") || (Ns("list-jobs") && Ns("read-job"));
        }

        if (path.StartsWith("/v1/scaling/policy/", StringComparison.Ordinal))
        {
            return Ns("read-scaling-policy", "read-job");
        }

        if (path == "/v1/jobs")
        {
            return read ? Ns("list-jobs") : Ns("submit-job");
        }

        if (path.StartsWith("/v1/job/", StringComparison.Ordinal))
        {
            if (path.EndsWith("/scale", StringComparison.Ordinal))
            {
                return read ? Ns("read-job-scaling", "read-job") : Ns("scale-job", "submit-job");
            }

            return read ? Ns("read-job") : Ns("submit-job");
        }

        if (path.StartsWith("/v1/client/allocation/", StringComparison.Ordinal))
        {
            // Nomad checks read-job in the allocation's namespace, whatever the query says.
            var allocId = path["/v1/client/allocation/".Length..].Split('/')[0];
            var ns = _state.Read(() => _state.Allocations.TryGetValue(allocId, out var alloc) ? alloc.Namespace : query.Namespace).Result;
            return policy.AllowNamespace(ns, "read-job");
        }

        if (path is "/v1/allocations" or "/v1/evaluations" or "/v1/deployments"
            || path.StartsWith("/v1/allocation/", StringComparison.Ordinal) || path.StartsWith("/v1/evaluation/", StringComparison.Ordinal))
        {
            return read && Ns("read-job");
        }

        if (path.StartsWith("/v1/var/", StringComparison.Ordinal))
        {
            var capability = method switch { "GET" => "read", "DELETE" => "destroy", _ => "write" };
            return policy.AllowVariable(query.Namespace, path["/v1/var/".Length..], capability);
        }

        if (path == "/v1/vars")
        {
            return policy.AllowVariable(query.Namespace, query.Prefix.Length == 0 ? "*" : query.Prefix + "*", "list");
        }

        return false;
    }

    /// <summary>The namespaces a <c>namespace=*</c> query may touch: those the cluster has.</summary>
    private List<string> ClusterNamespaces() =>
        _state.Read(() => _state.Jobs.Keys.Select(k => k.Namespace).Append("default").Distinct(StringComparer.Ordinal).ToList()).Result;

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
