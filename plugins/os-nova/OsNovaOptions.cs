using System.ComponentModel.DataAnnotations;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>The agent's <c>target "os-nova" { config = { ... } }</c> block. Every key is documented in docs/plugins/os-nova.md.</summary>
/// <remarks>Credentials come from these keys, layered over a clouds.yaml cloud (<c>cloud</c> or <c>OS_CLOUD</c>) or, without
/// one, over the <c>OS_*</c> environment variables, field by field.</remarks>
public sealed class OsNovaOptions : NomadPluginOptions, IValidatableObject
{
    /// <summary>Nova statuses that can never be ignored: they are the pool's healthy or transitional servers.</summary>
    internal static readonly string[] UnignorableStates = ["ACTIVE", "BUILD", "REBOOT", "HARD_REBOOT"];

    /// <summary><c>auth_url</c>: Keystone URL.</summary>
    public string? AuthUrl { get; set; }

    /// <summary><c>username</c>.</summary>
    public string? Username { get; set; }

    /// <summary><c>user_id</c>.</summary>
    public string? UserId { get; set; }

    /// <summary><c>password</c> (a secret).</summary>
    public string? Password { get; set; }

    /// <summary><c>domain_name</c>: domain of the user and of the project, unless the specific keys are set.</summary>
    public string? DomainName { get; set; }

    /// <summary><c>domain_id</c>.</summary>
    public string? DomainId { get; set; }

    /// <summary><c>user_domain_name</c>.</summary>
    public string? UserDomainName { get; set; }

    /// <summary><c>project_domain_name</c>.</summary>
    public string? ProjectDomainName { get; set; }

    /// <summary><c>project_id</c>.</summary>
    public string? ProjectId { get; set; }

    /// <summary><c>project_name</c>.</summary>
    public string? ProjectName { get; set; }

    /// <summary><c>application_credential_id</c>.</summary>
    public string? ApplicationCredentialId { get; set; }

    /// <summary><c>application_credential_name</c>.</summary>
    public string? ApplicationCredentialName { get; set; }

    /// <summary><c>application_credential_secret</c> (a secret).</summary>
    public string? ApplicationCredentialSecret { get; set; }

    /// <summary><c>region_name</c>; default <c>OS_REGION_NAME</c>, else <c>RegionOne</c>.</summary>
    public string? RegionName { get; set; }

    /// <summary><c>interface</c>: catalog interface (<c>public</c>, <c>internal</c>, <c>admin</c>).</summary>
    public string? Interface { get; set; }

    /// <summary><c>cloud</c>: a cloud of clouds.yaml.</summary>
    public string? Cloud { get; set; }

    /// <summary><c>clouds_file</c>: the clouds.yaml path (default: the usual search path).</summary>
    public string? CloudsFile { get; set; }

    /// <summary><c>cacert_file</c>: PEM CA bundle.</summary>
    public string? CacertFile { get; set; }

    /// <summary><c>insecure_skip_verify</c>: a boolean (<c>false</c> means verify).</summary>
    public bool? InsecureSkipVerify { get; set; }

    /// <summary><c>compute_endpoint_override</c>: Nova URL used instead of the catalog's.</summary>
    public Uri? ComputeEndpointOverride { get; set; }

    /// <summary><c>id_attribute</c>: node attribute (or <c>meta.&lt;key&gt;</c>) holding the server ID; wins over <c>name_attribute</c>.</summary>
    public string? IdAttribute { get; set; }

    /// <summary><c>name_attribute</c>: node attribute holding the server name.</summary>
    public string? NameAttribute { get; set; }

    /// <summary><c>action_timeout</c>: per-server budget (create until ACTIVE with its floating IP, or stop and delete).</summary>
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary><c>scale_timeout</c>: budget of a whole Scale call, drains included.</summary>
    public TimeSpan ScaleTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary><c>status_timeout</c>: budget of the Status server listing.</summary>
    public TimeSpan StatusTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>ignored_states</c>: comma list of Nova statuses not counted.</summary>
    public string? IgnoredStates { get; set; }

    /// <summary><c>stop_first</c>: stop servers before deleting them (policy value wins when set).</summary>
    public bool? StopFirst { get; set; }

    /// <summary><c>force_delete</c>: delete with the <c>forceDelete</c> action (policy value wins when set).</summary>
    public bool? ForceDelete { get; set; }

    /// <summary><c>max_concurrent_actions</c>: servers created or deleted at the same time.</summary>
    [Range(1, 100)]
    public int MaxConcurrentActions { get; set; } = 10;

    /// <summary><c>node_join_timeout</c>: how long an ACTIVE server may go without a Nomad node before it is replaced; 0 turns the check off.</summary>
    public TimeSpan NodeJoinTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><c>max_unjoined_replacements</c>: servers that never joined deleted per evaluation (0 only reports them).</summary>
    [Range(0, 100)]
    public int MaxUnjoinedReplacements { get; set; } = 1;

    /// <summary><c>lb_pool_id</c>: Octavia pool every server of every pool joins (agent-level, as upstream).</summary>
    public string? LbPoolId { get; set; }

    /// <summary><c>lb_member_port</c>: the members' protocol port; required with <c>lb_pool_id</c>.</summary>
    public int? LbMemberPort { get; set; }

    /// <summary><c>lb_subnet_id</c>: the subnet whose fixed IP becomes the member address (default: the first fixed IP's).</summary>
    public string? LbSubnetId { get; set; }

    /// <summary>The parsed <c>ignored_states</c>.</summary>
    internal IReadOnlySet<string> IgnoredStateSet =>
        (IgnoredStates ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);

    /// <summary>The credentials: config keys over the clouds.yaml cloud, or over <c>OS_*</c>.</summary>
    /// <exception cref="OpenStackConfigException">The clouds.yaml cloud cannot be read.</exception>
    internal OpenStackCredentials ToCredentials(Func<string, string?> environment)
    {
        var cloud = Cloud ?? environment("OS_CLOUD");
        var baseline = !string.IsNullOrWhiteSpace(cloud)
            ? CloudConfig.FromCloudsYaml(cloud, CloudsFile, environment)
            : CloudConfig.FromEnvironment(environment);
        static string? Pick(string? configured, string? fallback) => string.IsNullOrWhiteSpace(configured) ? fallback : configured;
        var credentials = baseline with
        {
            AuthUrl = Pick(AuthUrl, baseline.AuthUrl),
            Username = Pick(Username, baseline.Username),
            UserId = Pick(UserId, baseline.UserId),
            Password = Pick(Password, baseline.Password),
            DomainName = Pick(DomainName, baseline.DomainName),
            DomainId = Pick(DomainId, baseline.DomainId),
            UserDomainName = Pick(UserDomainName, baseline.UserDomainName),
            ProjectDomainName = Pick(ProjectDomainName, baseline.ProjectDomainName),
            ProjectId = Pick(ProjectId, baseline.ProjectId),
            ProjectName = Pick(ProjectName, baseline.ProjectName),
            ApplicationCredentialId = Pick(ApplicationCredentialId, baseline.ApplicationCredentialId),
            ApplicationCredentialName = Pick(ApplicationCredentialName, baseline.ApplicationCredentialName),
            ApplicationCredentialSecret = Pick(ApplicationCredentialSecret, baseline.ApplicationCredentialSecret),
            RegionName = Pick(RegionName, baseline.RegionName)!,
            Interface = Pick(Interface, baseline.Interface)!,
            CaCertFile = Pick(CacertFile, baseline.CaCertFile),
            InsecureSkipVerify = InsecureSkipVerify ?? baseline.InsecureSkipVerify,
        };
        // A configured user replaces an application credential from the environment (and the reverse), so that
        // mixing sources never sends two identities.
        if (!string.IsNullOrWhiteSpace(Password) && string.IsNullOrWhiteSpace(ApplicationCredentialSecret))
            credentials = credentials with { ApplicationCredentialId = null, ApplicationCredentialName = null, ApplicationCredentialSecret = null };
        return credentials;
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var state in IgnoredStateSet)
        {
            if (UnignorableStates.Contains(state, StringComparer.Ordinal))
                yield return new ValidationResult($"error setting ignored_states: state '{state}' can't be ignored", [nameof(IgnoredStates)]);
        }

        foreach (var problem in LoadBalancerMembership.Validate(this)) yield return problem;

        if (ActionTimeout <= TimeSpan.Zero) yield return new ValidationResult("must be positive", [nameof(ActionTimeout)]);
        if (ScaleTimeout <= TimeSpan.Zero) yield return new ValidationResult("must be positive", [nameof(ScaleTimeout)]);
        if (StatusTimeout <= TimeSpan.Zero) yield return new ValidationResult("must be positive", [nameof(StatusTimeout)]);
        if (NodeJoinTimeout < TimeSpan.Zero) yield return new ValidationResult("must not be negative (0 turns the check off)", [nameof(NodeJoinTimeout)]);
    }
}
