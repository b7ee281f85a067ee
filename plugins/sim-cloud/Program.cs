using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.SimCloud;

return await PluginHost.RunAsync<SimCloudTargetPlugin>(args);
