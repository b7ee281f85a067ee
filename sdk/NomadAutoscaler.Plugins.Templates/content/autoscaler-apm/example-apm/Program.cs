// The whole entry point: the SDK does the go-plugin handshake, serves gRPC and logs hclog JSON on stderr.
return await NomadAutoscaler.Plugins.Sdk.PluginHost.RunAsync<ExampleApmPlugin.ExampleApm>(args);
