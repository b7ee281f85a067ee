return await NomadAutoscaler.Plugins.Sdk.PluginHost.RunAsync<NomadAutoscaler.TestPlugins.NoopApm>(args);
