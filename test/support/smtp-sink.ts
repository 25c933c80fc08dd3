import { SMTPServer } from 'smtp-server';
import { freePort } from '../../scripts/lib/ports.js';

export interface Mail {
  to: string[];
  body: string;
}

/** A local SMTP server that keeps what it is sent, for the alert tests. */
export async function startSmtpSink(mails: Mail[]): Promise<{ server: SMTPServer; port: number }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map(({ address }) => address), body: Buffer.concat(chunks).toString('utf8') });
        done();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}
