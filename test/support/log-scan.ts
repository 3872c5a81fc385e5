import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Scans log files for what must never be logged: compact JWS / JWT (access tokens and whole credentials), Bearer
 * values, the passwords the e2e tests use, and any `password` / token field that was not redacted.
 * Used by the e2e run's globalTeardown (every log the run wrote) and by test/logs.e2e-spec.ts.
 */
export interface LogLeak {
  file: string;
  line: number;
  kind: string;
  /** The line around the match with the secret itself masked, so the report does not repeat the leak. */
  excerpt: string;
}

/** The passwords e2e tests sign in or create users with (test/support/test-app.ts and the test files). */
export const TEST_PASSWORDS = [
  'admin-password-123',
  'commander-password-123',
  'checkin-password-123',
  'auditor-password-123',
  'not-the-password',
  'guess-guess-guess',
  'a-brand-new-password-1',
];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const SECRET_PATTERNS: Array<{ kind: string; pattern: RegExp }> = [
  // header.payload. of a compact JWS whose header and payload are JSON objects: tokens and credentials alike.
  { kind: 'jws', pattern: /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g },
  { kind: 'bearer', pattern: /Bearer\s+(?!\[redacted\])[A-Za-z0-9._~+/-]{8,}/gi },
  { kind: 'password', pattern: new RegExp(TEST_PASSWORDS.map(escape).join('|'), 'g') },
  {
    kind: 'unredacted-field',
    pattern:
      /"(password|newPassword|currentPassword|accessToken|refreshToken|authorization|cookie|credential|jws|privateJwk|private_jwk)"\s*:\s*"(?!\[redacted\])[^"]{6,}/gi,
  },
];

export function scanText(text: string, file = '<text>'): LogLeak[] {
  const leaks: LogLeak[] = [];
  const lines = text.split('\n');
  lines.forEach((content, i) => {
    for (const { kind, pattern } of SECRET_PATTERNS) {
      pattern.lastIndex = 0;
      let match: RegExpExecArray | null;
      while ((match = pattern.exec(content)) !== null) {
        const start = Math.max(0, match.index - 60);
        const masked = `${content.slice(start, match.index)}<${kind}:${match[0].length} chars>${content.slice(match.index + match[0].length, match.index + match[0].length + 60)}`;
        leaks.push({ file, line: i + 1, kind, excerpt: masked });
      }
    }
  });
  return leaks;
}

/** Every *.log file under `dir` (recursively). */
export function logFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return logFiles(path);
    return e.name.endsWith('.log') ? [path] : [];
  });
}

export function scanLogDir(dir: string): { files: number; bytes: number; leaks: LogLeak[] } {
  const files = logFiles(dir);
  let bytes = 0;
  const leaks: LogLeak[] = [];
  for (const file of files) {
    bytes += statSync(file).size;
    leaks.push(...scanText(readFileSync(file, 'utf8'), file));
  }
  return { files: files.length, bytes, leaks };
}
