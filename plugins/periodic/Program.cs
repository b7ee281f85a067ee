using NomadAutoscaler.Plugins.Periodic;
using NomadAutoscaler.Plugins.Sdk;

return await PluginHost.RunAsync<PeriodicStrategy>(args);
