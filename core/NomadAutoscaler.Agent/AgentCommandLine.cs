using NomadAutoscaler.Core.Configuration;

namespace NomadAutoscaler.Agent;

/// <summary>What `nomad-autoscaler agent` was asked to do, after flag parsing.</summary>
/// <param name="ConfigPaths">The <c>-config</c> files and directories, in order.</param>
/// <param name="Flags">Settings given as flags; they win over every file and survive reloads.</param>
/// <param name="Dev">True for <c>-dev</c>: run on the embedded simulated cluster with demo policies.</param>
internal sealed record AgentCommandLine(IReadOnlyList<string> ConfigPaths, ConfigFragment Flags, bool Dev);
