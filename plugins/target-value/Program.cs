using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.TargetValue;

return await PluginHost.RunAsync<TargetValueStrategy>(args);
