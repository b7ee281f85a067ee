return await NomadAutoscaler.Plugins.Sdk.PluginHost.RunAsync<NomadAutoscaler.TestPlugins.PoolTarget>(args);
