using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.Agent;

/// <summary>
/// <c>agent -dev</c>'s node pool: sim-cloud scales <see cref="SimulatorScenarios.DevPool"/> on the simulated cloud
/// under the project's recommended cluster policy, written to a private policy directory (shared with
/// <see cref="DevOpenStack"/> when that pool runs too), so the demo shows the mission: a burst of queued batch work, a
/// scale-out sized to it, the new nodes joining, and a scale-in once the burst is gone.
/// </summary>
internal sealed class DevPool : IDisposable
{
    private readonly string _policyDir;
    private readonly bool _ownsPolicyDir;

    private DevPool(string policyDir, bool ownsPolicyDir)
    {
        _policyDir = policyDir;
        _ownsPolicyDir = ownsPolicyDir;
    }

    /// <summary>Null when a policy directory is configured (logged as a warning; the dev cluster runs without the
    /// pool's policy, as for <see cref="DevOpenStack"/>).</summary>
    /// <param name="config">The configuration as loaded, before any dev pool changed it.</param>
    /// <param name="sharedPolicyDir">The <see cref="DevOpenStack"/> policy directory, when that pool runs too.</param>
    /// <param name="logger">Where the pool is announced.</param>
    public static DevPool? Create(AgentConfig config, string? sharedPolicyDir, ILogger logger)
    {
        if (config.Policy.Dir.Length > 0)
        {
            logger.Hclog(LogLevel.Warning, "a policy directory is configured; the dev node pool policy is not added to it, the pool runs without autoscaling",
                ("policy_dir", config.Policy.Dir));
            return null;
        }

        var dir = sharedPolicyDir ?? Directory.CreateTempSubdirectory("nomad-autoscaler-dev-").FullName;
        File.WriteAllText(Path.Combine(dir, "nom_pool.hcl"), PoolPolicy);
        logger.Hclog(LogLevel.Information, "dev node pool: sim-cloud scales a pool on the simulated cloud under the recommended cluster policy",
            ("pool_name", SimulatorScenarios.DevPool), ("policy_dir", dir));
        return new DevPool(dir, ownsPolicyDir: sharedPolicyDir is null);
    }

    /// <summary>Adds the sim-cloud target, the periodic strategy and nomad-apm's node filters the policy relies on
    /// (each only where the configuration does not already name it), and the pool policy.</summary>
    public AgentConfig AddTo(AgentConfig config) => config with
    {
        Apms = [.. config.Apms.Select(WithNodeFilters)],
        Strategies = config.Strategies.Any(s => s.Name == "periodic")
            ? config.Strategies
            : [.. config.Strategies, new PluginConfig("periodic", "periodic", [], new Dictionary<string, string>())],
        Targets = config.Targets.Any(t => t.Name == "sim-cloud")
            ? config.Targets
            : [.. config.Targets, new PluginConfig("sim-cloud", "sim-cloud", [], new Dictionary<string, string>())],
        Policy = config.Policy with { Dir = _policyDir, FileSourceEnabled = true },
    };

    public void Dispose()
    {
        if (!_ownsPolicyDir) return;
        try
        {
            Directory.Delete(_policyDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>A pool member that is still starting or draining is not capacity yet (or any more): skipping it lets
    /// desired-nodes be computed while a scale is under way (as examples/recommended/agent.hcl configures).</summary>
    private static PluginConfig WithNodeFilters(PluginConfig apm)
    {
        if (apm.Driver != "nomad-apm") return apm;
        var settings = new Dictionary<string, string>(apm.Config, StringComparer.Ordinal);
        settings.TryAdd("node_filter_ignore_init", "true");
        settings.TryAdd("node_filter_ignore_drain", "true");
        return apm with { Config = settings };
    }

    /// <summary>
    /// The project's recommended cluster policy (examples/recommended/policies/nom-pool.hcl), with the dev pool's
    /// bounds, the sim-cloud target and the dev workload's period: the scaling lab found it best on every shipped
    /// workload (node-hours within 1.15x of the clairvoyant bound, one server added on the mission, bursts that recur
    /// find their servers booted; see docs/scaling-quality.md). desired-nodes sizes a scale-out to the queue, periodic
    /// makes that the count and, from the third 3-minute cycle on, boots the burst's servers a lead (the 20 s boot, one
    /// interval and a margin) before it comes back; empty_ignore_system gives back only servers with no work, so
    /// nothing is disturbed.
    /// </summary>
    private const string PoolPolicy = """
        scaling "nom-pool" {
          enabled = true
          min     = 1
          max     = 5

          policy {
            evaluation_interval  = "20s"
            cooldown_on_scale_up = "1s"
            cooldown             = "1m"

            check "demand" {
              source = "nomad-apm"
              query  = "desired-nodes_resources"

              strategy "periodic" {
                period  = "3m"
                lead    = "1m"
                seasons = 2
              }
            }

            target "sim-cloud" {
              node_class             = "nom-pool"
              node_drain_deadline    = "1m"
              node_selector_strategy = "empty_ignore_system"
            }
          }
        }
        """;
}
