using NomadAutoscaler.Plugins.NomadTarget;
using NomadAutoscaler.Plugins.Sdk;

return await PluginHost.RunAsync<NomadTargetPlugin>(args);
