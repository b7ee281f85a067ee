using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

/// <summary>The client's TLS options (CA file, CA directory, client certificate, server name, skip-verify) against a
/// real HTTPS listener on 127.0.0.1 whose certificates are made by the test: a private CA signs a server certificate for
/// <c>server.global.nomad</c> (Nomad's own naming) and a client certificate that the server demands.</summary>
public sealed class NomadClientTlsTests : IAsyncLifetime
{
    private const string ServerName = "server.global.nomad";
    private readonly string _dir = Directory.CreateTempSubdirectory("nomad-tls-").FullName;
    private WebApplication? _server;
    private string _address = "";
    private string _caFile = "";
    private string _otherCaFile = "";
    private string _clientCert = "";
    private string _clientKey = "";
    private string? _lastClientSubject;

    public async Task InitializeAsync()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("CN=Test Nomad CA", caKey);
        using var otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCa = CreateCa("CN=Some other CA", otherCaKey);
        _caFile = WritePem("ca.pem", ca.ExportCertificatePem());
        _otherCaFile = WritePem("other-ca.pem", otherCa.ExportCertificatePem());

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest($"CN={ServerName}", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(ServerName);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var serverCert = Sign(serverRequest, ca);
        var serverWithKey = X509CertificateLoader.LoadPkcs12(serverCert.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pkcs12), null);

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=autoscaler.global.nomad", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var clientCert = Sign(clientRequest, ca);
        _clientCert = WritePem("client.pem", clientCert.ExportCertificatePem());
        _clientKey = WritePem("client-key.pem", clientKey.ExportPkcs8PrivateKeyPem());

        var caForClients = X509CertificateLoader.LoadCertificate(ca.RawData);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serverWithKey;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(caForClients);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            };
        })));
        _server = builder.Build();
        _server.Run(async context =>
        {
            // Nomad with verify_https_client answers a request without a client certificate with a TLS failure; a 403
            // here keeps the two cases apart in the assertions.
            var client = context.Connection.ClientCertificate;
            _lastClientSubject = client?.Subject;
            if (client is null)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("client certificate required");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("\"127.0.0.1:4647\"");
        });
        await _server.StartAsync();
        var port = new Uri(_server.Urls.First()).Port;
        _address = $"https://127.0.0.1:{port}";
    }

    [Fact]
    public async Task CaFile_ClientCertificate_AndServerName_Connect()
    {
        using var client = Client(new NomadClientOptions { Address = _address, CaCert = _caFile, ClientCert = _clientCert, ClientKey = _clientKey, TlsServerName = ServerName });
        Assert.Equal("127.0.0.1:4647", await client.GetLeaderAsync());
        Assert.Equal("CN=autoscaler.global.nomad", _lastClientSubject);
    }

    [Fact]
    public async Task CaDirectory_IsReadLikeCaFile()
    {
        var caDir = Directory.CreateDirectory(Path.Combine(_dir, "cas")).FullName;
        File.Copy(_otherCaFile, Path.Combine(caDir, "a-other.pem"));
        File.Copy(_caFile, Path.Combine(caDir, "b-nomad.pem"));
        using var client = Client(new NomadClientOptions { Address = _address, CaPath = caDir, ClientCert = _clientCert, ClientKey = _clientKey, TlsServerName = ServerName });
        Assert.Equal("127.0.0.1:4647", await client.GetLeaderAsync());
    }

    [Fact]
    public async Task UntrustedServer_IsRefused()
    {
        using var client = Client(new NomadClientOptions { Address = _address, CaCert = _otherCaFile, ClientCert = _clientCert, ClientKey = _clientKey, TlsServerName = ServerName });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetLeaderAsync());
        Assert.Contains("SSL", error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Null(_lastClientSubject);
    }

    [Fact]
    public async Task WrongServerName_IsRefused_EvenWithTheRightCa()
    {
        using var client = Client(new NomadClientOptions { Address = _address, CaCert = _caFile, ClientCert = _clientCert, ClientKey = _clientKey, TlsServerName = "client.global.nomad" });
        await Assert.ThrowsAnyAsync<Exception>(() => client.GetLeaderAsync());
        Assert.Null(_lastClientSubject);
    }

    [Fact]
    public async Task WithoutClientCertificate_TheServerSeesNone()
    {
        using var client = Client(new NomadClientOptions { Address = _address, CaCert = _caFile, TlsServerName = ServerName });
        var error = await Assert.ThrowsAnyAsync<NomadApiException>(() => client.GetLeaderAsync());
        Assert.Equal(403, error.StatusCode);
    }

    [Fact]
    public async Task SkipVerify_AcceptsAnyServerCertificate()
    {
        using var client = Client(new NomadClientOptions { Address = _address, SkipVerify = true, ClientCert = _clientCert, ClientKey = _clientKey });
        Assert.Equal("127.0.0.1:4647", await client.GetLeaderAsync());
    }

    [Fact]
    public void ClientCertificateWithoutKey_IsAConfigErrorNamingTheKey()
    {
        var error = Assert.Throws<PluginConfigException>(() => Client(new NomadClientOptions { Address = _address, CaCert = _caFile, ClientCert = _clientCert }));
        Assert.Contains("client", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void UnreadableCaFile_IsAConfigErrorNamingTheFile()
    {
        var missing = Path.Combine(_dir, "missing.pem");
        var error = Assert.Throws<PluginConfigException>(() => Client(new NomadClientOptions { Address = _address, CaCert = missing }));
        Assert.Contains("cannot load CA certificates", error.Message, StringComparison.Ordinal);
    }

    private static NomadClient Client(NomadClientOptions options) => new(options);

    private static X509Certificate2 CreateCa(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Sign(CertificateRequest request, X509Certificate2 ca) =>
        request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(12));

    private string WritePem(string name, string pem)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, pem);
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
