import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Debian's python3-aiosmtpd (scripts/check-packages.sh), run by the system Python that has it. */
const PYTHON = '/usr/bin/python3';

/** One message as the SMTP server received it: envelope recipients, decoded subject, text and HTML parts. */
interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

// Python's email package decodes the MIME nodemailer writes (quoted-printable, encoded words, alternatives).
const PARSE = `
import email, email.policy, json, os, sys
def part(m, kind):
    body = m.get_body(preferencelist=(kind,))
    return body.get_content() if body is not None else ''
out = []
for name in sorted(os.listdir(sys.argv[1]), key=lambda n: os.stat(os.path.join(sys.argv[1], n)).st_mtime_ns):
    with open(os.path.join(sys.argv[1], name), 'rb') as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    out.append({'from': m['X-MailFrom'], 'to': [a.strip() for a in m['X-RcptTo'].split(',')], 'subject': str(m['Subject']), 'text': part(m, 'plain'), 'html': part(m, 'html')})
print(json.dumps(out))
`;

export interface SmtpServer {
  port: number;
  /** Every message received so far, in arrival order. */
  received(): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`the SMTP server did not listen on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A real SMTP server (aiosmtpd) on 127.0.0.1:`port`, writing what it receives to a Maildir. */
export async function startSmtpServer(port: number): Promise<SmtpServer> {
  const dir = await mkdtemp(join(tmpdir(), 'asistencia-smtp-'));
  const maildir = join(dir, 'mail');
  const child: ChildProcess = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await listening(port, 10_000).catch((error: unknown) => {
    child.kill();
    throw new Error(`${String(error)}: ${errors}`);
  });
  return {
    port,
    async received() {
      const files = await readdir(join(maildir, 'new')).catch(() => []);
      if (files.length === 0) return [];
      const { stdout } = await promisify(execFile)(PYTHON, ['-c', PARSE, join(maildir, 'new')]);
      return JSON.parse(stdout) as ReceivedMail[];
    },
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
