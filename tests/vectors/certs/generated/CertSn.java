// Cross-check of the SN rule with Java, whose X500Principal.getName() the gateway uses:
//   java CertSn.java FILE...   (Java 11+; prints, per certificate: sig alg OID, issuer, serial, SN)
import java.io.FileInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

public class CertSn {
    public static void main(String[] args) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (String file : args) {
            try (FileInputStream in = new FileInputStream(file)) {
                for (Object o : factory.generateCertificates(in)) {
                    X509Certificate cert = (X509Certificate) o;
                    String issuer = cert.getIssuerX500Principal().getName();
                    BigInteger serial = cert.getSerialNumber();
                    byte[] md5 = MessageDigest.getInstance("MD5")
                            .digest((issuer + serial).getBytes(StandardCharsets.UTF_8));
                    System.out.printf("%s\t%s\t%s\t%s\t%032x%n", file, cert.getSigAlgOID(), issuer, serial,
                            new BigInteger(1, md5));
                }
            }
        }
    }
}
