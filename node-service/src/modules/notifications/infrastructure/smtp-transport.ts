import { createTransport } from 'nodemailer';
import type { MailTransport } from '../application/ports.js';

/**
 * The SMTP server named by SMTP_URL (smtp:// or smtps://, user and password in it or SMTP_PASSWORD), through
 * nodemailer: it speaks SMTP with STARTTLS, authentication, pooling and MIME for us, which hand-written code
 * would get wrong. Every wait (connection, greeting, each reply) is bounded by `timeoutMs`.
 */
export function createSmtpTransport(options: { url: string; password: string | undefined; from: string; timeoutMs: number }): MailTransport {
  const url = new URL(options.url);
  const user = decodeURIComponent(url.username);
  const password = options.password ?? decodeURIComponent(url.password);
  const transporter = createTransport({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 25,
    secure: url.protocol === 'smtps:',
    ...(user ? { auth: { user, pass: password } } : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    async send(mail) {
      await transporter.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
  };
}
