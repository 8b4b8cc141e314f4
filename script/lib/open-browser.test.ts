import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type Say } from './open-browser.ts';

// What Debian's chromium 156 printed here, run as root (/usr/bin/chromium --headless --user-data-dir=…): the
// launcher's own shell noise, then Chromium's refusal, then exit code 1 within about 0.1 s.
const DEBIAN_NOISE = '/usr/bin/chromium: 9: [: 25276194816: unexpected operator';
const ROOT_REFUSAL =
  '[10224:10224:1206/051339.114246:ERROR:content/browser/zygote_host/zygote_host_impl_linux.cc:103] ' +
  'Running as root without --no-sandbox is not supported. See https://crbug.com/638180.';

let dir: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-open-browser-test-'));
});

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in "chromium": records its arguments in NAME.args, then runs BODY. */
async function standIn(name: string, body: string): Promise<{ path: string; args: () => Promise<string[]> }> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\nprintf '%s\\n' "$@" > "$0.args"\n${body}\n`);
  await chmod(file, 0o755);
  return { path: file, args: async () => (await readFile(`${file}.args`, 'utf8')).split('\n').filter(Boolean) };
}

/** Chromium as root: refuses without --no-sandbox, and runs with it. */
const asRoot = () =>
  standIn(
    'chromium-as-root',
    [
      'for arg in "$@"; do [ "$arg" = --no-sandbox ] && exec sleep 60; done',
      `echo '${DEBIAN_NOISE}' >&2`,
      `echo '${ROOT_REFUSAL}' >&2`,
      'exit 1',
    ].join('\n'),
  );

function recorder(): { say: Say; text: () => string } {
  const lines: string[] = [];
  const push = (line: unknown) => lines.push(String(line));
  return { say: { info: push, warn: push, error: push }, text: () => lines.join('\n') };
}

async function open(browser: string, noSandbox: boolean, isRoot: boolean) {
  const { say, text } = recorder();
  const extensionDir = path.join(dir, 'chrome-mv3');
  const result = await openBrowser({
    browser,
    extensionDir,
    profileDir: path.join(dir, 'profile'),
    noSandbox,
    isRoot,
    say,
    onSpawn: (child) => started.push(child),
  });
  return { result, text: text(), extensionDir };
}

describe('npm start opening Chromium', () => {
  it('as root, says up front that Chromium will refuse, then why it did, and how to load AITalk by hand', async () => {
    const chromium = await asRoot();
    const { result, text, extensionDir } = await open(chromium.path, false, true);

    expect(result).toEqual({
      kind: 'failed',
      reason: 'Running as root without --no-sandbox is not supported. See https://crbug.com/638180.',
    });
    expect(text).toMatch(/running as root, and Chromium refuses to run as root without --no-sandbox/);
    expect(text).toContain('`npm start -- --no-sandbox`');
    expect(text).toContain(
      'AITalk: Chromium could not start: Running as root without --no-sandbox is not supported. See https://crbug.com/638180.\n',
    );
    expect(text).toContain(`Click "Load unpacked" and choose ${extensionDir}`);
    expect(text).not.toContain('Chromium is opening');
    expect(text).not.toContain(DEBIAN_NOISE);
    // Never added unasked.
    expect(await chromium.args()).not.toContain('--no-sandbox');
    expect(await chromium.args()).toContain(`--load-extension=${extensionDir}`);
  });

  it('as root with `npm start -- --no-sandbox`, warns what that gives up, passes it, and Chromium stays open', async () => {
    const chromium = await asRoot();
    const { result, text } = await open(chromium.path, true, true);

    expect(result.kind).toBe('open');
    expect(await chromium.args()).toContain('--no-sandbox');
    expect(text).toMatch(/warning: --no-sandbox turns Chromium's sandbox off: .*root's full access/);
    expect(text).toContain('Chromium is opening with AITalk loaded');
    expect(text).not.toContain('could not start');
    expect(text).not.toContain('Load unpacked');
  });

  it('for a learner who is not root, adds no flag and no warning', async () => {
    const chromium = await standIn('chromium', 'exec sleep 60');
    const { result, text } = await open(chromium.path, false, false);

    expect(result.kind).toBe('open');
    expect(await chromium.args()).not.toContain('--no-sandbox');
    expect(text).toBe(
      'AITalk: Chromium is opening with AITalk loaded. Click the AITalk icon in the toolbar to open the side panel.',
    );
  });

  it('when Chromium is already running with AITalk’s profile, says a window opened there, with no steps', async () => {
    const chromium = await standIn('chromium-already-open', "echo 'Opening in existing browser session.'\nexit 0");
    const { result, text } = await open(chromium.path, false, false);

    expect(result.kind).toBe('handed-over');
    expect(text).toContain("Chromium was already running with AITalk's profile, and opened a new window there");
    expect(text).not.toContain('could not start');
    expect(text).not.toContain('Load unpacked');
  });
});
