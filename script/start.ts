/**
 * `npm start`: builds the extension, starts the companion voice server with the embedded voice,
 * and opens Chromium with AITalk loaded when a browser and a display are there — otherwise it
 * says exactly how to load the build. Arguments after `--` go to the companion
 * (e.g. `npm start -- --engine coqui`). `--no-browser` only prints the loading steps; `--no-sandbox` starts
 * Chromium without its sandbox, which it needs as root (only when asked: see script/lib/open-browser.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_SANDBOX_FLAG, loadByHandSteps, openBrowser } from './lib/open-browser.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const extensionDir = path.join(root, '.output/chrome-mv3');
const args = process.argv.slice(2);
const noBrowser = args.includes('--no-browser');
const noSandbox = args.includes(NO_SANDBOX_FLAG);
const companionArgs = args.filter((arg) => arg !== '--no-browser' && arg !== NO_SANDBOX_FLAG);
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);

console.info('AITalk: building the extension…');
const build = spawnSync(bin('wxt'), ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('AITalk: the extension did not build. Run `npm install` first, then `npm start` again.');
  process.exit(1);
}
console.info(`AITalk: extension built in ${extensionDir}`);

const children: ChildProcess[] = [];

// Before the companion starts: its exit handler may run while Chromium is still being watched, below.
let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Wait for every child to exit, so nothing is left running behind us.
  await Promise.all(
    children
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
  );
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const companion = spawn(bin('tsx'), [path.join(root, 'companion-server/src/main.ts'), ...companionArgs], {
  cwd: root,
  stdio: 'inherit',
});
children.push(companion);
companion.on('exit', (code) => {
  if (!stopping) {
    console.error(`AITalk: the companion stopped (exit ${code ?? 'signal'}); see the line above for why.`);
    void shutdown(code ?? 1);
  }
});

function findBrowser(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ];
  return candidates.find((candidate): candidate is string => Boolean(candidate && existsSync(candidate)));
}

const hasDisplay = process.platform === 'darwin' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const browser = findBrowser();
if (!noBrowser && browser && hasDisplay) {
  // Whatever happens to Chromium, the companion keeps running: the learner can still load AITalk by hand.
  await openBrowser({
    browser,
    extensionDir,
    profileDir: path.join(root, '.cache/browser-profile'),
    noSandbox,
    // Tracked from the start, so that a companion failing while Chromium is watched still takes Chromium down.
    onSpawn: (child) => children.push(child),
  });
} else {
  console.info(loadByHandSteps(extensionDir));
}
