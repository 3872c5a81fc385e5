/**
 * The command-line tool: a small dispatcher. Each command is a module under ./commands exporting a CliCommand,
 * loaded only when used (so `verify --trust FILE` never touches the database driver). Add a command by adding one
 * entry to COMMANDS. Exit codes: 0 success, 1 negative outcome (e.g. not verified), 2 usage error.
 */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Reads all of standard input (for `-`). */
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
}

export interface CliCommand {
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export const EXIT = { ok: 0, negative: 1, usage: 2 } as const;

/** Thrown by commands for bad arguments: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  verify: async () => (await import('./commands/verify.command')).verifyCommand,
  'audit-verify': async () => (await import('./commands/audit-verify.command')).auditVerifyCommand,
  migrate: async () => (await import('./commands/migrate.command')).migrateCommand,
  keys: async () => (await import('./commands/keys.command')).keysCommand,
  'time-package': async () => (await import('./commands/time-package.command')).timePackageCommand,
};

/** Lets other commands register themselves without editing the dispatcher logic. */
export function registerCommand(name: string, load: () => Promise<CliCommand>): void {
  COMMANDS[name] = load;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(await helpText());
    return name ? EXIT.ok : EXIT.usage;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(`Unknown command: ${name}\n\n${await helpText()}`);
    return EXIT.usage;
  }
  const command = await load();
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${(err as Error).message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${name}: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
}

async function helpText(): Promise<string> {
  const lines = ['Usage: responder-checkin <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(14)} ${(await load()).summary}`);
  lines.push('', 'Run `responder-checkin <command> --help` for its options.', '');
  return lines.join('\n');
}
