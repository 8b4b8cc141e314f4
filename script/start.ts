/**
 * `npm start`: builds the extension, starts the companion voice server with the embedded voice,
 * and opens Chromium with AITalk loaded when a browser and a display are there — otherwise it
 * says exactly how to load the build. Arguments after `--` go to the companion
 * (e.g. `npm start -- --engine coqui`). `--no-browser` only prints the loading steps.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const extensionDir = path.join(root, '.output/chrome-mv3');
const args = process.argv.slice(2);
const noBrowser = args.includes('--no-browser');
const companionArgs = args.filter((arg) => arg !== '--no-browser');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);

console.info('AITalk: building the extension…');
const build = spawnSync(bin('wxt'), ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) {
  console.error('AITalk: the extension did not build. Run `npm install` first, then `npm start` again.');
  process.exit(1);
}
console.info(`AITalk: extension built in ${extensionDir}`);

const children: ChildProcess[] = [];
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
  // A profile of its own, so the learner's everyday browser profile is untouched.
  const profile = path.join(root, '.cache/browser-profile');
  const chromium = spawn(
    browser,
    [
      `--user-data-dir=${profile}`,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-first-run',
    ],
    { stdio: 'ignore' },
  );
  children.push(chromium);
  console.info(
    'AITalk: Chromium is opening with AITalk loaded. Click the AITalk icon in the toolbar to open the side panel.',
  );
} else {
  console.info(
    [
      '',
      'Load AITalk into Chrome or Chromium:',
      '  1. Open chrome://extensions and turn on "Developer mode" (top right).',
      `  2. Click "Load unpacked" and choose ${extensionDir}`,
      '  3. Click the AITalk icon in the toolbar (pin it from the puzzle-piece menu) to open the side panel.',
      '  4. In Settings, paste your API key (or point "API base URL" at any OpenAI-compatible server).',
      'Press Alt+Shift+S on any page to talk (change it at chrome://extensions/shortcuts).',
      '',
    ].join('\n'),
  );
}

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
