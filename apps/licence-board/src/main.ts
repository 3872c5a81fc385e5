import { startLicenceBoard } from './licence-board-server';

/**
 * `node dist/apps/licence-board/src/main.js`: the simulated licensing authority as a process, for the demo.
 * LICENCE_BOARD_PORT (4200), LICENCE_BOARD_HOST (127.0.0.1), LICENCE_BOARD_NOTICE_SECRET (the secret its notices are
 * signed with; the api's PRIMARY_SOURCES entry for it names the same), LICENCE_BOARD_LATENCY_MS (20).
 */
async function main(): Promise<void> {
  const secret = process.env.LICENCE_BOARD_NOTICE_SECRET;
  if (!secret || secret.length < 16) throw new Error('LICENCE_BOARD_NOTICE_SECRET must be at least 16 characters');
  const board = await startLicenceBoard({
    port: Number(process.env.LICENCE_BOARD_PORT ?? 4200),
    host: process.env.LICENCE_BOARD_HOST ?? '127.0.0.1',
    latencyMs: Number(process.env.LICENCE_BOARD_LATENCY_MS ?? 20),
    noticeSecret: secret,
  });
  process.stdout.write(`simulated licence board on ${board.url} (no authentication: keep it on localhost)\n`);
  const stop = (): void => void board.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
