using NomadAutoscaler.Plugins.Threshold;
using NomadAutoscaler.Plugins.Sdk;

return await PluginHost.RunAsync<ThresholdStrategy>(args);
