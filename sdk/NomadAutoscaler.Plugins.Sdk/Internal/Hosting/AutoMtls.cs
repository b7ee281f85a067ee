using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Hosting;

/// <summary>go-plugin AutoMTLS certificates: generated per process, trusted only as exactly that certificate.</summary>
internal static class AutoMtls
{
    /// <summary>Generates a certificate the way go-plugin's generateCert does: ECDSA P-521, self-signed, CA,
    /// CN and DNS SAN <c>localhost</c>, O <c>HashiCorp</c>, client+server auth, valid from now−30 s for 30 years.</summary>
    public static X509Certificate2 GenerateCertificate(TimeProvider timeProvider)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var request = new CertificateRequest(new X500DistinguishedName("CN=localhost, O=HashiCorp"), key, HashAlgorithmName.SHA512);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyAgreement | X509KeyUsageFlags.KeyCertSign,
            critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        var now = timeProvider.GetUtcNow();
        return request.CreateSelfSigned(now.AddSeconds(-30), now.AddYears(30));
    }

    /// <summary>Reads the PEM certificate the host put in PLUGIN_CLIENT_CERT.</summary>
    public static X509Certificate2 ParseHostCertificate(string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException exception)
        {
            throw new InvalidOperationException($"{PluginProtocol.ClientCertVariable} does not hold a PEM certificate: {exception.Message}", exception);
        }
    }

    /// <summary>True when <paramref name="presented"/> is exactly <paramref name="expected"/> (no chain building, no system store).</summary>
    public static bool IsExactly(X509Certificate? presented, X509Certificate2 expected)
        => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(expected.RawData);
}
