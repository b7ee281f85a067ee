using NomadAutoscaler.Plugins.NomadApm;
using NomadAutoscaler.Plugins.Sdk;

return await PluginHost.RunAsync<NomadApmPlugin>(args);
