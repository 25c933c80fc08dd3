import { connect } from 'node:tls';

export interface ServedCertificateTarget {
  /** where the web server listens */
  host: string;
  port: number;
  /** the site name sent as SNI */
  servername: string;
  /** PEM roots the chain must verify against; undefined = system trust */
  ca?: string;
}

export interface ServedCertificate {
  /** Upper-case hex, as node:crypto prints it. */
  serial: string;
  /** The chain verified against the roots and names `servername`. */
  verified: boolean;
  /** Why verification failed (OpenSSL's reason), when it did. */
  verifyError?: string;
  /** dNSName entries of the leaf's subjectAltName. */
  names: string[];
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * One TLS handshake to a web server, as a visitor's browser makes it: what it
 * presents for a name, and whether that verifies. Behind an adapter so the
 * probe can later run from the agent of the host that serves the site.
 */
export class ServedCertificateProbe {
  probe(target: ServedCertificateTarget): Promise<ServedCertificate> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port, servername: target.servername, ca: target.ca, rejectUnauthorized: false });
      socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => socket.destroy(new Error(`TLS handshake with ${target.host}:${target.port} timed out`)));
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        const leaf = socket.getPeerCertificate();
        const names = (leaf.subjectaltname ?? '')
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry.startsWith('DNS:'))
          .map((entry) => entry.slice(4).toLowerCase());
        const error = socket.authorizationError;
        resolve({ serial: (leaf.serialNumber ?? '').toUpperCase(), verified: socket.authorized, ...(error ? { verifyError: String(error) } : {}), names });
        socket.end();
      });
    });
  }
}
