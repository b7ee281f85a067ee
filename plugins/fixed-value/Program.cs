using NomadAutoscaler.Plugins.FixedValue;
using NomadAutoscaler.Plugins.Sdk;

return await PluginHost.RunAsync<FixedValueStrategy>(args);
