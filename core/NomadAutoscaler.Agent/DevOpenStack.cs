using System.Text;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.Agent;

/// <summary>
/// <c>agent -dev</c> with <c>OS_*</c> variables: a real OpenStack joins the simulated cluster. os-nova scales the pool
/// <see cref="SimulatorScenarios.DevOpenStackPool"/> under a cluster policy written to a private policy directory, and
/// the simulator turns its ACTIVE servers into Nomad nodes. Credentials stay in the environment, which the os-nova
/// process inherits; they are never written to the policy file or logged.
/// </summary>
internal sealed class DevOpenStack : IDisposable
{
    public const string ImageVariable = "NOMAD_AUTOSCALER_DEV_OS_IMAGE";
    public const string FlavorVariable = "NOMAD_AUTOSCALER_DEV_OS_FLAVOR";
    public const string NetworkVariable = "NOMAD_AUTOSCALER_DEV_OS_NETWORK";

    private readonly IReadOnlyDictionary<string, string> _openStack;
    private readonly string _policyDir;

    private DevOpenStack(IReadOnlyDictionary<string, string> openStack, string policyDir)
    {
        _openStack = openStack;
        _policyDir = policyDir;
    }

    /// <summary>Null when no OpenStack is asked for (neither <c>OS_AUTH_URL</c> nor <c>OS_CLOUD</c>), or when it cannot
    /// join (logged as a warning; the dev cluster runs without it).</summary>
    public static DevOpenStack? Create(IReadOnlyDictionary<string, string?> environment, AgentConfig config, ILogger logger)
    {
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        if (Get("OS_AUTH_URL") is null && Get("OS_CLOUD") is null) return null;

        var missing = new[] { ImageVariable, FlavorVariable, NetworkVariable }.Where(v => Get(v) is null).ToList();
        if (missing.Count > 0)
        {
            logger.Hclog(LogLevel.Warning, "OS_* variables are set but the os-nova dev pool needs an image, a flavor and a network of the project by name; running without it",
                ("missing", string.Join(", ", missing)));
            return null;
        }

        if (config.Policy.Dir.Length > 0)
        {
            logger.Hclog(LogLevel.Warning, "OS_* variables are set but a policy directory is configured; the os-nova dev pool policy is not added to it, running without it",
                ("policy_dir", config.Policy.Dir));
            return null;
        }

        var dir = Directory.CreateTempSubdirectory("nomad-autoscaler-dev-").FullName;
        File.WriteAllText(Path.Combine(dir, "dev_os_pool.hcl"), PoolPolicy(Get(ImageVariable)!, Get(FlavorVariable)!, Get(NetworkVariable)!));
        var openStack = environment.Where(e => e.Key.StartsWith("OS_", StringComparison.Ordinal) && e.Value is not null)
            .ToDictionary(e => e.Key, e => e.Value!, StringComparer.Ordinal);
        logger.Hclog(LogLevel.Information, "OpenStack joins the dev cluster: os-nova scales a Nova pool whose ACTIVE servers become Nomad nodes",
            ("pool_name", SimulatorScenarios.DevOpenStackPool), ("policy_dir", dir));
        return new DevOpenStack(openStack, dir);
    }

    /// <summary>The private policy directory holding the pool policy (the <see cref="DevPool"/> policy joins it).</summary>
    public string PolicyDir => _policyDir;

    public void AddTo(SimulatorOptions options) => SimulatorScenarios.AddOpenStackPool(options, _openStack);

    /// <summary>Adds the os-nova target (configured from the inherited <c>OS_*</c> variables) and the pool policy.</summary>
    public AgentConfig AddTo(AgentConfig config) => config with
    {
        Targets = config.Targets.Any(t => t.Name == "os-nova")
            ? config.Targets
            : [.. config.Targets, new PluginConfig("os-nova", "os-nova", [], new Dictionary<string, string>())],
        Policy = config.Policy with { Dir = _policyDir, FileSourceEnabled = true },
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(_policyDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>At rest the pool's batch job needs one node; under load six 1000 MHz allocations need two, and
    /// target-value at 70 % asks for three.</summary>
    private static string PoolPolicy(string image, string flavor, string network) => $$"""
        scaling "dev_os_pool" {
          enabled = true
          min     = 1
          max     = 3

          policy {
            cooldown            = "20s"
            evaluation_interval = "10s"

            check "cpu_allocated_percentage" {
              source = "nomad-apm"
              query  = "percentage-allocated_cpu"

              strategy "target-value" {
                target = 70
              }
            }

            target "os-nova" {
              image_name             = "{{Hcl(image)}}"
              flavor_name            = "{{Hcl(flavor)}}"
              network_name           = "{{Hcl(network)}}"
              pool_name              = "{{SimulatorScenarios.DevOpenStackPool}}"
              name_prefix            = "dev-os-"
              node_class             = "{{SimulatorScenarios.DevOpenStackPool}}"
              node_drain_deadline    = "5m"
              node_purge             = true
              node_selector_strategy = "least_busy"
            }
          }
        }
        """;

    private static string Hcl(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ => c.ToString(),
            });
        }

        return text.ToString().Replace("${", "$${", StringComparison.Ordinal).Replace("%{", "%%{", StringComparison.Ordinal);
    }
}
