/**
 * How `npm start` (script/start.ts) opens Chromium with AITalk loaded, and what it tells the learner. Chromium
 * that cannot run (as root without --no-sandbox, no X server, a missing library) exits within a moment, so the
 * launch is watched for a few seconds before "Chromium is opening" is said; otherwise the learner is told why,
 * in Chromium's own words, and how to load the extension by hand.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const NO_SANDBOX_FLAG = '--no-sandbox';

/** Chromium refused as root in 76-241 ms on a busy 2-core VM; a browser still up after this has started. */
export const DEFAULT_WATCH_MS = 3_000;

export type Say = Pick<Console, 'info' | 'warn' | 'error'>;

export interface OpenBrowserOptions {
  browser: string;
  extensionDir: string;
  /** A profile of its own, so the learner's everyday browser profile is untouched. */
  profileDir: string;
  /** The learner asked for it with `npm start -- --no-sandbox`; never added otherwise. */
  noSandbox: boolean;
  isRoot?: boolean;
  watchMs?: number;
  say?: Say;
  onSpawn?: (child: ChildProcess) => void;
}

export type OpenBrowserResult =
  | { kind: 'open'; child: ChildProcess }
  /** Chromium was already running with this profile and opened a window there. */
  | { kind: 'handed-over' }
  | { kind: 'failed'; reason: string };

/** What the learner does when no browser opens; printed by start.ts when none is found, and here when it fails. */
export function loadByHandSteps(extensionDir: string): string {
  return [
    '',
    'Load AITalk into Chrome or Chromium:',
    '  1. Open chrome://extensions and turn on "Developer mode" (top right).',
    `  2. Click "Load unpacked" and choose ${extensionDir}`,
    '  3. Click the AITalk icon in the toolbar (pin it from the puzzle-piece menu) to open the side panel.',
    '  4. In Settings, paste your API key (or point "API base URL" at any OpenAI-compatible server).',
    'Press Alt+Shift+S on any page to talk (change it at chrome://extensions/shortcuts).',
    '',
  ].join('\n');
}

const CHROMIUM_LOG_LINE = /^\[[^\]]*:(?:ERROR|FATAL):[^\]]*\]\s*(.+)$/;
const MAX_REASON_CHARS = 300;

/**
 * The line that says why Chromium stopped. Its log lines carry a "[pid:tid:time:ERROR:file.cc:103]" prefix the
 * learner does not need; Debian's launcher may print shell noise of its own first
 * ("/usr/bin/chromium: 9: [: …: unexpected operator"), so Chromium's last logged error wins over any other line.
 */
export function exitReason(output: string, code: number | null, signal: NodeJS.Signals | null): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const logged = lines.map((line) => CHROMIUM_LOG_LINE.exec(line)?.[1]).filter((line) => line !== undefined);
  const reason = logged.at(-1) ?? lines.at(-1);
  if (reason) return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason;
  return signal ? `it was stopped by ${signal}` : `it exited with code ${code} without saying why`;
}

export async function openBrowser(options: OpenBrowserOptions): Promise<OpenBrowserResult> {
  const { browser, extensionDir, profileDir, noSandbox, watchMs = DEFAULT_WATCH_MS, say = console } = options;
  const isRoot = options.isRoot ?? process.getuid?.() === 0;

  if (noSandbox) {
    say.warn(
      `AITalk: warning: ${NO_SANDBOX_FLAG} turns Chromium's sandbox off: a web page that exploits a browser bug ` +
        `gets ${isRoot ? 'root' : 'your account'}'s full access to this machine. Use it only in a throwaway container or VM.`,
    );
  } else if (isRoot) {
    say.warn(
      `AITalk: you are running as root, and Chromium refuses to run as root without ${NO_SANDBOX_FLAG}. ` +
        `\`npm start -- ${NO_SANDBOX_FLAG}\` opens it without its sandbox; otherwise load AITalk by hand (steps below).`,
    );
  }

  const args = [
    `--user-data-dir=${profileDir}`,
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    '--no-first-run',
    ...(noSandbox ? [NO_SANDBOX_FLAG] : []),
  ];
  const child = spawn(browser, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    // Only the start matters; a browser that runs for hours keeps logging, and that is read and dropped.
    if (output.length < 64 * 1024) output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const outcome = await new Promise<
    | { kind: 'up' }
    | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
    | { kind: 'error'; error: Error }
  >((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'up' }), watchMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ kind: 'error', error });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const settle = (): void => resolve({ kind: 'exited', code, signal });
      // The last words on stderr may arrive after the exit; a helper process still holding the pipe (Chromium
      // starts a crash handler early) must not hold the learner up, though.
      child.once('close', settle);
      setTimeout(settle, 500).unref();
    });
  });

  if (outcome.kind === 'up') {
    child.stdout.off('data', collect).resume();
    child.stderr.off('data', collect).resume();
    say.info(
      'AITalk: Chromium is opening with AITalk loaded. Click the AITalk icon in the toolbar to open the side panel.',
    );
    return { kind: 'open', child };
  }
  if (outcome.kind === 'exited' && outcome.code === 0) {
    // Chromium's process singleton: a Chromium already running with this profile opens the window instead.
    say.info("AITalk: Chromium was already running with AITalk's profile, and opened a new window there.");
    return { kind: 'handed-over' };
  }
  const reason = outcome.kind === 'error' ? outcome.error.message : exitReason(output, outcome.code, outcome.signal);
  say.error(`AITalk: Chromium could not start: ${reason}`);
  say.info(loadByHandSteps(extensionDir));
  return { kind: 'failed', reason };
}
