using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Plugins.NomadTarget;

/// <summary>The <c>target "nomad-target"</c> block's config: only the injected <c>nomad_*</c> keys.</summary>
public sealed class NomadTargetOptions : NomadPluginOptions;
