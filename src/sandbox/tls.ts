// The sandbox's certificates: a self-signed CA and a serving certificate for 127.0.0.1 and
// localhost signed by it. Keys come from Node's crypto (fast, native); node-forge builds and signs
// the X.509 certificates, which Node cannot do itself.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** TlsMaterial is what the servers and the kubeconfig need. */
export interface TlsMaterial {
  /** PEM of the CA certificate (kubeconfig certificate-authority-data, base64 of it). */
  caCert: string;
  /** PEM of the serving certificate and its key. */
  cert: string;
  key: string;
}

function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem: privateKey };
}

function serial(): string {
  // A positive serial number: the top bit clear.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

/** generateTlsMaterial creates a CA valid for ten years and a serving certificate for the loopback names. */
export function generateTlsMaterial(now = new Date()): TlsMaterial {
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 24 * 60 * 60 * 1000);

  const ca = rsaKeys();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = notBefore;
  caCert.validity.notAfter = notAfter;
  const caSubject = [{ name: 'commonName', value: 'flotilla-sandbox-ca' }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = server.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'flotilla-sandbox' }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());

  return { caCert: forge.pki.certificateToPem(caCert), cert: forge.pki.certificateToPem(cert), key: server.pem };
}

let shared: TlsMaterial | undefined;

/** sharedTlsMaterial returns one CA and serving certificate per process, made on first use (tests start many sandboxes). */
export function sharedTlsMaterial(): TlsMaterial {
  shared ??= generateTlsMaterial();
  return shared;
}
