using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>go-plugin AutoMTLS: a throwaway P-521 certificate like Go's, offered in PLUGIN_CLIENT_CERT, and trust in
/// exactly the certificate the plugin announces in the sixth field of its handshake line.</summary>
internal static class AutoMtls
{
    public static X509Certificate2 CreateClientCertificate(TimeProvider timeProvider)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var request = new CertificateRequest("CN=localhost, O=HashiCorp", key, HashAlgorithmName.SHA512);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyAgreement | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        var now = timeProvider.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddSeconds(-30), now.AddYears(30));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
