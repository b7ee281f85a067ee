using NomadAutoscaler.Plugins.Prometheus;
using NomadAutoscaler.Plugins.Sdk;

return await PluginHost.RunAsync<PrometheusApm>(args);
