/** A self-signed certificate for 127.0.0.1/localhost and the redis-server arguments that serve TLS with it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Writes cert.pem and key.pem into a new temporary folder; returns the folder. */
export function makeSelfSignedCert(prefix: string): string {
  const certDir = mkdtempSync(path.join(tmpdir(), prefix));
  // biome-ignore format: one openssl command line
  const openssl = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${certDir}/key.pem`, '-out', `${certDir}/cert.pem`, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ];
  execFileSync('openssl', openssl, { stdio: 'ignore' });
  return certDir;
}

/** redis-server arguments for a TLS port using that certificate, clients not asked for one. */
export function tlsServerArgs(certDir: string, tlsPort: number): string[] {
  // biome-ignore format: redis-server's argument pairs
  return [
    '--tls-port', String(tlsPort),
    '--tls-cert-file', `${certDir}/cert.pem`,
    '--tls-key-file', `${certDir}/key.pem`,
    '--tls-ca-cert-file', `${certDir}/cert.pem`,
    '--tls-auth-clients', 'no',
  ];
}
