// Owns: the JSON logger (pino). Secrets never reach it: known sensitive fields are redacted.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'bytewatchers-id' },
    redact: {
      paths: ['password', '*.password', 'client_secret', '*.client_secret', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  });
}
