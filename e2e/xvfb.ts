import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * A virtual X display for headed Chromium, and real key presses into it with xdotool (apt
 * packages xvfb and xdotool). Headless Chromium has no keyboard shortcuts and no side panel.
 */

const run = promisify(execFile);

export interface Display {
  /** e.g. ":93", for DISPLAY. */
  name: string;
  /** Presses keys in the focused Chromium window, e.g. 'alt+shift+a'. */
  key(combo: string): Promise<void>;
  /** Gives keyboard focus to the (only) Chromium window; Xvfb has no window manager to do it. */
  focusChromium(): Promise<void>;
  close(): Promise<void>;
}

export async function startXvfb(): Promise<Display> {
  // -displayfd: Xvfb picks a free display number and writes it to stdout once it accepts clients.
  const child: ChildProcess = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const name = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start: ${err}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(\d+)\s*$/.exec(out);
      if (match && out.endsWith('\n')) {
        clearTimeout(timer);
        resolve(`:${match[1]}`);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb could not run (apt-get install xvfb): ${error.message}`));
    });
  });
  const env = { ...process.env, DISPLAY: name };
  const xdotool = (args: string[]) => run('xdotool', args, { env });
  return {
    name,
    async key(combo) {
      await xdotool(['key', '--clearmodifiers', combo]);
    },
    async focusChromium() {
      const { stdout } = await xdotool(['search', '--sync', '--onlyvisible', '--class', 'chromium']);
      const windows = stdout.trim().split('\n').filter(Boolean);
      const last = windows.at(-1);
      if (!last) throw new Error('no Chromium window on the display');
      await xdotool(['windowfocus', '--sync', last]);
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
