using NomadAutoscaler.Plugins.PassThrough;
using NomadAutoscaler.Plugins.Sdk;

return await PluginHost.RunAsync<PassThroughStrategy>(args);
