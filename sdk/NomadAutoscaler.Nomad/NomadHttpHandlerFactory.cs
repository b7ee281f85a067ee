using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad;

/// <summary>Builds the HTTP handler from the TLS and address settings.</summary>
internal static class NomadHttpHandlerFactory
{
    public static SocketsHttpHandler Create(NomadClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };

        var address = new Uri(options.Address, UriKind.Absolute);
        if (address.Scheme == "unix")
        {
            var socketPath = address.LocalPath;
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        var ssl = handler.SslOptions;
        if (!string.IsNullOrEmpty(options.ClientCert) || !string.IsNullOrEmpty(options.ClientKey))
        {
            if (string.IsNullOrEmpty(options.ClientCert) || string.IsNullOrEmpty(options.ClientKey))
                throw new PluginConfigException(string.IsNullOrEmpty(options.ClientCert) ? NomadConfigKeys.ClientCert : NomadConfigKeys.ClientKey,
                    "client certificate and client key must be set together");
            ssl.ClientCertificates = [LoadClientCertificate(options.ClientCert, options.ClientKey)];
        }

        if (options.SkipVerify)
        {
            // The operator asked for it explicitly (nomad skip_verify / NOMAD_SKIP_VERIFY), as with the Go client.
#pragma warning disable CA5359
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrEmpty(options.CaCert) || !string.IsNullOrEmpty(options.CaPath) || !string.IsNullOrEmpty(options.TlsServerName))
        {
            // SocketsHttpHandler always checks the certificate against the request's host (SslOptions.TargetHost is
            // overwritten), so tls_server_name is checked here, as the Go client's ServerName is.
            var roots = !string.IsNullOrEmpty(options.CaCert) || !string.IsNullOrEmpty(options.CaPath) ? LoadCertificateAuthorities(options) : null;
            var serverName = string.IsNullOrEmpty(options.TlsServerName) ? null : options.TlsServerName;
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(roots, serverName, certificate, errors);
        }

        return handler;
    }

    private static X509Certificate2 LoadClientCertificate(string certPath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new PluginConfigException(NomadConfigKeys.ClientCert, $"cannot load client certificate \"{certPath}\" with key \"{keyPath}\": {ex.Message}");
        }
    }

    private static X509Certificate2Collection LoadCertificateAuthorities(NomadClientOptions options)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            if (!string.IsNullOrEmpty(options.CaCert)) roots.ImportFromPemFile(options.CaCert);
            if (!string.IsNullOrEmpty(options.CaPath))
            {
                foreach (var file in Directory.EnumerateFiles(options.CaPath).Order(StringComparer.Ordinal))
                    roots.ImportFromPemFile(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            var key = !string.IsNullOrEmpty(options.CaCert) ? NomadConfigKeys.CaCert : NomadConfigKeys.CaPath;
            throw new PluginConfigException(key, $"cannot load CA certificates: {ex.Message}");
        }

        if (roots.Count == 0)
            throw new PluginConfigException(!string.IsNullOrEmpty(options.CaCert) ? NomadConfigKeys.CaCert : NomadConfigKeys.CaPath, "no PEM certificate found");
        return roots;
    }

    private static bool Validate(X509Certificate2Collection? roots, string? serverName, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
        using var cert = new X509Certificate2(certificate);
        var nameMatches = serverName is null
            ? (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
            : cert.MatchesHostname(serverName, allowWildcards: true, allowCommonName: false);
        if (!nameMatches) return false;
        if (roots is null) return (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0;

        // The configured CAs replace the system store.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }
}
