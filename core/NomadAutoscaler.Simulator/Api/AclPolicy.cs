using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>
/// A Nomad ACL policy document (the HCL of <c>nomad acl policy apply</c>) reduced to the rules the simulator enforces:
/// <c>namespace</c> blocks with <c>policy</c> and <c>capabilities</c> and their <c>variables { path }</c> rules, and the
/// <c>node</c> and <c>agent</c> policies. The shorthand policies expand as Nomad's <c>acl/policy.go</c> expands them.
/// </summary>
internal sealed class AclPolicy
{
    private static readonly string[] ReadCapabilities =
        ["list-jobs", "parse-job", "read-job", "csi-list-volume", "csi-read-volume", "read-job-scaling", "list-scaling-policies", "read-scaling-policy"];

    private static readonly string[] ScaleCapabilities = ["list-scaling-policies", "read-scaling-policy", "read-job-scaling", "scale-job"];

    private static readonly string[] WriteCapabilities =
    [
        .. ReadCapabilities, .. ScaleCapabilities, "submit-job", "dispatch-job", "read-logs", "read-fs", "alloc-exec", "alloc-lifecycle",
        "csi-mount-volume", "csi-write-volume", "submit-recommendation",
    ];

    private readonly List<NamespaceRule> _namespaces = [];

    private AclPolicy()
    {
    }

    /// <summary><c>read</c>, <c>write</c>, <c>deny</c> or empty (no rule).</summary>
    public string NodePolicy { get; private set; } = "";

    public string AgentPolicy { get; private set; } = "";

    /// <summary>Parses a policy document; a malformed one throws naming file:line:column, as the CLI refuses it.</summary>
    public static AclPolicy Parse(string hcl, string fileName)
    {
        var file = HclParser.Parse(hcl, fileName);
        var diagnostics = new HclDiagnostics();
        diagnostics.AddRange(file.Diagnostics);
        var policy = new AclPolicy();
        if (!diagnostics.HasErrors)
        {
            policy.Read(file.Body, diagnostics);
        }

        if (diagnostics.HasErrors)
        {
            throw new ArgumentException($"invalid ACL policy: {string.Join("; ", diagnostics.Where(d => d.Severity == HclSeverity.Error).Select(d => d.Message))}");
        }

        return policy;
    }

    private void Read(HclBody body, HclDiagnostics diagnostics)
    {
        var content = body.Content(
            new HclBodySchema(blocks: [new HclBlockSchema("namespace", "name"), new HclBlockSchema("node"), new HclBlockSchema("agent")]), diagnostics);
        foreach (var block in content.Blocks)
        {
            switch (block.Type)
            {
                case "namespace":
                    _namespaces.Add(ParseNamespace(block, diagnostics));
                    break;
                case "node":
                    NodePolicy = PolicyOf(block, diagnostics);
                    break;
                default:
                    AgentPolicy = PolicyOf(block, diagnostics);
                    break;
            }
        }
    }

    public bool AllowNamespace(string ns, string capability) =>
        Closest(_namespaces, ns, n => n.Pattern) is { } rule && !rule.Capabilities.Contains("deny") && rule.Capabilities.Contains(capability);

    public bool AllowVariable(string ns, string path, string capability)
    {
        if (Closest(_namespaces, ns, n => n.Pattern) is not { } rule || Closest(rule.Variables, path, v => v.Pattern) is not { } variable)
        {
            return false;
        }

        return !variable.Capabilities.Contains("deny") && variable.Capabilities.Contains(capability);
    }

    public static bool Allows(string policy, bool write) => policy == "write" || (!write && policy == "read");

    private static NamespaceRule ParseNamespace(HclBlock block, HclDiagnostics diagnostics)
    {
        var content = block.Body.Content(
            new HclBodySchema([new HclAttributeSchema("policy"), new HclAttributeSchema("capabilities")], [new HclBlockSchema("variables")]), diagnostics);
        var capabilities = new HashSet<string>(StringComparer.Ordinal);
        if (content.GetAttribute("policy") is { } policyAttribute)
        {
            capabilities.UnionWith(Text(policyAttribute, diagnostics) switch
            {
                "read" => ReadCapabilities,
                "scale" => ScaleCapabilities,
                "write" => WriteCapabilities,
                "deny" => ["deny"],
                _ => [],
            });
        }

        capabilities.UnionWith(Strings(content.GetAttribute("capabilities"), diagnostics));
        var variables = new List<VariableRule>();
        foreach (var variablesBlock in content.BlocksOfType("variables"))
        {
            var paths = variablesBlock.Body.Content(new HclBodySchema(blocks: [new HclBlockSchema("path", "pattern")]), diagnostics);
            foreach (var path in paths.Blocks)
            {
                var rule = path.Body.Content(new HclBodySchema([new HclAttributeSchema("capabilities", Required: true)]), diagnostics);
                variables.Add(new VariableRule(path.Labels[0], [.. Strings(rule.GetAttribute("capabilities"), diagnostics)]));
            }
        }

        return new NamespaceRule(block.Labels[0], capabilities, variables);
    }

    private static string PolicyOf(HclBlock block, HclDiagnostics diagnostics)
    {
        var content = block.Body.Content(new HclBodySchema([new HclAttributeSchema("policy", Required: true)]), diagnostics);
        return content.GetAttribute("policy") is { } attribute ? Text(attribute, diagnostics) : "";
    }

    private static List<string> Strings(HclAttribute? attribute, HclDiagnostics diagnostics)
    {
        var value = attribute?.Evaluate(null, diagnostics);
        if (value is null || value.IsNull)
        {
            return [];
        }

        if (value.Kind == HclValueKind.Tuple && value.AsTuple().All(v => v.Kind == HclValueKind.String))
        {
            return [.. value.AsTuple().Select(v => v.AsString())];
        }

        diagnostics.AddError(attribute!.Range, "Incorrect attribute value type", $"Inappropriate value for attribute \"{attribute.Name}\": list of string required.");
        return [];
    }

    private static string Text(HclAttribute attribute, HclDiagnostics diagnostics)
    {
        var value = attribute.Evaluate(null, diagnostics);
        if (value.Kind == HclValueKind.String)
        {
            return value.AsString();
        }

        diagnostics.AddError(attribute.Range, "Incorrect attribute value type", $"Inappropriate value for attribute \"{attribute.Name}\": string required.");
        return "";
    }

    /// <summary>The rule whose pattern matches <paramref name="name"/> most closely: an exact name wins, else the glob
    /// with the fewest characters left to the wildcards, as Nomad's <c>findClosestMatchingGlob</c>.</summary>
    private static T? Closest<T>(IEnumerable<T> rules, string name, Func<T, string> pattern)
        where T : class
    {
        T? best = null;
        var bestDistance = int.MaxValue;
        foreach (var rule in rules)
        {
            var glob = pattern(rule);
            if (glob == name)
            {
                return rule;
            }

            if (glob.Contains('*', StringComparison.Ordinal) && GlobMatches(glob, name))
            {
                var distance = name.Length - glob.Replace("*", "", StringComparison.Ordinal).Length;
                if (distance < bestDistance)
                {
                    best = rule;
                    bestDistance = distance;
                }
            }
        }

        return best;
    }

    private static bool GlobMatches(string glob, string name)
    {
        var parts = glob.Split('*');
        if (!name.StartsWith(parts[0], StringComparison.Ordinal) || !name.EndsWith(parts[^1], StringComparison.Ordinal)
            || name.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var position = parts[0].Length;
        foreach (var part in parts[1..^1])
        {
            var found = name.IndexOf(part, position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + part.Length;
        }

        return position <= name.Length - parts[^1].Length;
    }

    private sealed record NamespaceRule(string Pattern, HashSet<string> Capabilities, List<VariableRule> Variables);

    private sealed record VariableRule(string Pattern, HashSet<string> Capabilities);
}
