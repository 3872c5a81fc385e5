#!/usr/bin/env node
import { runCli } from './cli';

/** Entry point of the `responder-checkin` command (npm run -s cli -- <command> ...). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, readStdin, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
