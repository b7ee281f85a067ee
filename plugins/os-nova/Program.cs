using NomadAutoscaler.Plugins.OsNova;
using NomadAutoscaler.Plugins.Sdk;

return await PluginHost.RunAsync<OsNovaPlugin>(args);
