import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Headers that carry secrets or signatures; never written to a log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-amz-security-token"]',
  'req.headers["x-amz-content-sha256"]',
  'headers.authorization',
  'authorization',
  'secretAccessKey',
  '*.secretAccessKey',
];

/** The server's structured log (pino, JSON lines), with secrets redacted whatever a caller logs. */
export function createLogger(options: { level?: LevelWithSilent; destination?: DestinationStream } = {}): Logger {
  const settings = { level: options.level ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
