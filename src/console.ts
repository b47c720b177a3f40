import { UsageError } from './config.js';
import type { Invocation } from './main.js';

/** `dtq-console`: the full-screen console. */
export async function runConsoleCommand(_invocation: Invocation): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY || process.env.TERM === 'dumb' || process.env.CI) {
    throw new UsageError('the console needs an interactive terminal: run `dtq-console --no-ui` for the headless master with JSON logs');
  }
  throw new UsageError('the console is not built yet: run `dtq-console --no-ui`');
}
