/**
 * Drives the built extension's offscreen document in headless Chromium with a fake microphone and
 * checks what a learner would notice: the recording is real webm/opus holding the whole sentence,
 * levels arrive, the microphone is released after each turn, hands-free stops about 700 ms after
 * the learner goes quiet without cutting a pause inside the sentence, the teacher's sentences play
 * in order, barge-in silences them at once, and a missing companion is reported for fallback.
 *
 *   npm run build && npm run check:offscreen [-- path/to/chrome-mv3]
 *
 * Needs chromium, espeak-ng, sox, ffmpeg and pocketsphinx (the apt packages .ci/run installs).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launch as launchExtension } from '../e2e/harness.ts';
import { attachToOffscreen, instrument, microphoneState, type Evaluator } from '../e2e/offscreen-probe.ts';
import { recognizeSentence } from './lib/recognize.ts';
import { readPcm16 } from './lib/wav.ts';
import type { SavedRecording } from '../core/messages.ts';
import { run } from './lib/run.ts';
import { makeSilenceWav, makeSpeechWav } from './lib/speech-wav.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXTENSION = path.resolve(process.argv[2] ?? path.join(ROOT, '.output/chrome-mv3'));

const FIRST_HALF = 'I went to the market yesterday';
const SECOND_HALF = 'and I bought some fresh apples';
const WHOLE = `${FIRST_HALF} ${SECOND_HALF}`;

let failures = 0;
function check(ok: boolean, what: string, detail = ''): void {
  if (!ok) failures++;
  console.info(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
}

// ── WAV helpers ──────────────────────────────────────────────────────────────────────────────

/** Speech and silence spans in 10 ms windows (RMS above -50 dBFS counts as sound). */
function spans(wav: Buffer): { durationMs: number; sound: Array<[number, number]> } {
  const { rate, samples } = readPcm16(wav);
  const window = rate / 100;
  const sound: Array<[number, number]> = [];
  for (let w = 0; w * window < samples.length; w++) {
    let sum = 0;
    const end = Math.min(samples.length, (w + 1) * window);
    for (let i = w * window; i < end; i++) sum += (samples[i]! / 32768) ** 2;
    if (Math.sqrt(sum / window) <= 0.003) continue;
    const last = sound.at(-1);
    // Gaps under 100 ms are inside words.
    if (last && w * 10 - last[1] < 100) last[1] = (w + 1) * 10;
    else sound.push([w * 10, (w + 1) * 10]);
  }
  return { durationMs: (samples.length / rate) * 1000, sound };
}

function longestInnerGap(sound: Array<[number, number]>): number {
  let longest = 0;
  for (let i = 1; i < sound.length; i++) longest = Math.max(longest, sound[i]![0] - sound[i - 1]![1]);
  return longest;
}

// ── A stand-in companion: espeak-ng speaks each sentence as WAV, after an optional delay ────────

interface Companion {
  url: string;
  requests: Array<{ body: Record<string, unknown>; authorization?: string }>;
  close(): Promise<void>;
}

async function startCompanion(dir: string, delayMs: number): Promise<Companion> {
  const requests: Companion['requests'] = [];
  let n = 0;
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'Content-Type, Authorization',
    'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
  };
  const readBody = async (request: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((request, response) => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors).end();
      return;
    }
    void (async () => {
      const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
      requests.push({ body, authorization: request.headers.authorization });
      const file = path.join(dir, `tts-${n++}.wav`);
      await makeSpeechWav([String(body.input)], file);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      response.writeHead(200, { ...cors, 'Content-Type': 'audio/wav' }).end(await readFile(file));
    })().catch((error: unknown) => {
      response.writeHead(500, cors).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ── Driving the extension ──────────────────────────────────────────────────────────────────────

interface Launched {
  context: BrowserContext;
  page: Page;
  send<T>(type: string, data?: unknown): Promise<T>;
  events(): Promise<Array<{ kind: string; receivedAt: number; data: Record<string, unknown> }>>;
  clearEvents(): Promise<void>;
  offscreen(): Promise<Evaluator>;
  close(): Promise<void>;
}

async function launch(micFile: string, fakeUi: 'allow' | 'deny' | 'none'): Promise<Launched> {
  const browser = await launchExtension({
    micFile,
    microphone: fakeUi === 'none' ? 'ask' : fakeUi,
    extensionDir: EXTENSION,
  });
  const { context, extensionId: id } = browser;
  const page = await context.newPage();
  await page.goto(`chrome-extension://${id}/permission.html`);
  // Stands in for the side panel: keeps every 'sidepanel:*' event with the time it arrived.
  await page.evaluate(() => {
    const log: Array<{ kind: string; receivedAt: number; data: unknown }> = [];
    Object.assign(window, { __events: log });
    chrome.runtime.onMessage.addListener((message: { type?: string; data?: unknown }) => {
      if (message.type?.startsWith('sidepanel:')) {
        // Recorder events come addressed to the panel that owns the recording: keep the event.
        const data =
          message.type === 'sidepanel:recorder-event' ? (message.data as { event?: unknown }).event : message.data;
        log.push({ kind: message.type, receivedAt: performance.timeOrigin + performance.now(), data });
      }
    });
  });
  let seq = 1;
  const send = async <T>(type: string, body?: unknown): Promise<T> => {
    // This page stands in for one panel: every request names it, as the panel's do.
    const data =
      body === undefined ? { panelId: PANEL_ID } : typeof body === 'object' ? { panelId: PANEL_ID, ...body } : body;
    // The shape @webext-core/messaging sends and expects back: {id, type, data, timestamp} → {res} | {err}.
    const reply = await page.evaluate(
      ([type, data, id]) => chrome.runtime.sendMessage({ id, type, data, timestamp: Date.now() }),
      [type, data, seq++] as const,
    );
    const { res, err } = (reply ?? {}) as { res?: T; err?: { message?: string } };
    if (err) throw new Error(`${type}: ${err.message ?? JSON.stringify(err)}`);
    return res as T;
  };
  return {
    context,
    page,
    send,
    events: () => page.evaluate(() => (window as unknown as { __events: [] }).__events),
    clearEvents: () => page.evaluate(() => void ((window as unknown as { __events: unknown[] }).__events.length = 0)),
    async offscreen() {
      await send('background:ensure-offscreen');
      return attachToOffscreen(page);
    },
    close: () => browser.close(),
  };
}

/** The panel this script stands in for. */
const PANEL_ID = 'check-offscreen';

async function savedRecording(page: Page, id: string): Promise<Buffer> {
  const bytes = await page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('aitalk');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const record = await new Promise<{ blob: Blob } | undefined>((resolve, reject) => {
      const request = db.transaction('recordings').objectStore('recordings').get(id);
      request.onsuccess = () => resolve(request.result as { blob: Blob } | undefined);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return record ? [...new Uint8Array(await record.blob.arrayBuffer())] : [];
  }, id);
  return Buffer.from(bytes);
}

async function decodeWebm(dir: string, webm: Buffer, name: string): Promise<{ wav: Buffer; codec: string }> {
  const input = path.join(dir, `${name}.webm`);
  const output = path.join(dir, `${name}.wav`);
  await writeFile(input, webm);
  const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', input]);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', output]);
  return { wav: await readFile(output), codec: probe.stdout.toString().trim() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, poll: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await poll();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

type Saved = SavedRecording;

const VAD = { endSilenceMs: 700, idleTimeoutMs: 20_000 };

async function main(): Promise<void> {
  if (!existsSync(path.join(EXTENSION, 'manifest.json'))) throw new Error(`No built extension in ${EXTENSION}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-offscreen-'));
  const micFile = path.join(dir, 'mic.wav');
  const sentenceWav = path.join(dir, 'sentence.wav');
  const silenceWav = path.join(dir, 'silence.wav');
  // espeak-ng pads each phrase with ~150 ms of silence at both ends: 100 ms more makes a ~400 ms pause.
  await makeSpeechWav(
    [{ silenceMs: 600 }, FIRST_HALF, { silenceMs: 100 }, SECOND_HALF, { silenceMs: 4000 }],
    sentenceWav,
  );
  await makeSilenceWav(6000, silenceWav);
  const source = spans(await readFile(sentenceWav));
  const pauseMs = longestInnerGap(source.sound);
  const speechMs = source.sound.at(-1)![1] - source.sound[0]![0];
  console.info(
    `fake microphone: ${(speechMs / 1000).toFixed(2)} s of speech with a ${pauseMs} ms pause inside, then silence`,
  );
  await copyFile(sentenceWav, micFile);

  const companion = await startCompanion(dir, 150);
  const browser = await launch(micFile, 'allow');
  try {
    const offscreen = await browser.offscreen();
    await instrument(offscreen);

    // ── Push-to-talk ──
    const started = await browser.send<{ status: string; startedAt: number }>('offscreen:start-recording', {
      conversationId: 'check',
      handsFree: false,
      vad: VAD,
    });
    check(started.status === 'recording', 'push-to-talk: recording starts', started.status);
    const again = await browser.send<{ status: string }>('offscreen:start-recording', {
      conversationId: 'check',
      handsFree: false,
      vad: VAD,
    });
    check(again.status === 'already-recording', 'a second start answers already-recording', again.status);
    const during = await microphoneState(offscreen);
    check(during.liveTracks === 1, 'the microphone is open while recording', JSON.stringify(during));
    await sleep(source.sound.at(-1)![1] + 500);
    const stopSentAt = await browser.page.evaluate(() => performance.timeOrigin + performance.now());
    const ptt = await browser.send<Saved>('offscreen:stop-recording');
    check(ptt.status === 'saved', 'push-to-talk: the recording is saved', ptt.status);
    const answeredAt = await browser.page.evaluate(() => performance.timeOrigin + performance.now());
    console.info(
      `     tail: stop request → stopped ${(ptt.stoppedAt - ptt.stopRequestedAt).toFixed(1)} ms; reply back in the page ${(answeredAt - stopSentAt).toFixed(1)} ms after sending` +
        (ptt.writing ? ' (the audio was handed over; IndexedDB is written beside the upload)' : ''),
    );
    check(answeredAt - stopSentAt < 150, 'stopping and answering take well under 150 ms');
    await sleep(200);
    const after = await microphoneState(offscreen);
    check(
      after.liveTracks === 0 && after.contexts.length > 0 && after.contexts.every((state) => state === 'closed'),
      'the microphone and its audio graph are released after stop',
      JSON.stringify(after),
    );
    const events = await browser.events();
    const levels = events.filter((e) => e.kind === 'sidepanel:recorder-event' && e.data.type === 'level');
    const perSecond = levels.length / (ptt.durationMs / 1000);
    check(
      perSecond > 8 && perSecond < 12,
      'input levels arrive about 10 times a second',
      `${perSecond.toFixed(1)}/s, peak ${ptt.peakLevel.toFixed(3)}`,
    );
    check(ptt.speechDetected && ptt.peakLevel > 0.05, 'speech was detected in the recording');

    const webm = await savedRecording(browser.page, ptt.recordingId);
    check(
      webm.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])) && webm.length === ptt.bytes,
      'IndexedDB holds the webm (EBML header, reported size)',
      `${webm.length} bytes`,
    );
    const decoded = await decodeWebm(dir, webm, 'ptt');
    const decodedSpans = spans(decoded.wav);
    check(decoded.codec === 'opus', 'the codec is opus', decoded.codec);
    check(
      Math.abs(decodedSpans.durationMs - ptt.durationMs) < 300,
      'the decoded duration matches the reported one',
      `${decodedSpans.durationMs.toFixed(0)} ms decoded, ${ptt.durationMs} ms reported`,
    );
    const kbps = (webm.length * 8) / ptt.durationMs;
    check(kbps < 48, 'opus at a sensible bitrate', `${kbps.toFixed(1)} kbit/s`);
    const heard = await recognizeSentence(decoded.wav, [WHOLE, FIRST_HALF, SECOND_HALF]);
    check(heard === WHOLE, 'the recording holds the whole sentence (pocketsphinx)', String(heard));

    // ── Hands-free ──
    await browser.clearEvents();
    const hf = await browser.send<{ status: string; startedAt: number }>('offscreen:start-recording', {
      conversationId: 'check',
      handsFree: true,
      vad: VAD,
    });
    check(hf.status === 'recording', 'hands-free: listening starts', hf.status);
    const auto = await waitFor('auto-stopped', async () =>
      (await browser.events()).find((e) => e.kind === 'sidepanel:recorder-event' && e.data.type === 'auto-stopped'),
    );
    const hfEvents = await browser.events();
    const speechStart = hfEvents.find((e) => e.data.type === 'speech-start');
    check(speechStart !== undefined, 'hands-free: speech-start is announced');
    const result = auto.data.result as Saved;
    check(result.status === 'saved', 'hands-free: the detector stopped and saved the turn itself', result.status);
    const hfWebm = await savedRecording(browser.page, result.recordingId);
    const hfDecoded = await decodeWebm(dir, hfWebm, 'hands-free');
    const hfSpans = spans(hfDecoded.wav);
    const trailingMs = hfSpans.durationMs - hfSpans.sound.at(-1)![1];
    check(
      trailingMs >= 600 && trailingMs <= 1000,
      'hands-free ends the turn about 700 ms after the learner goes quiet',
      `${trailingMs.toFixed(0)} ms of silence after the last word`,
    );
    const hfHeard = await recognizeSentence(hfDecoded.wav, [WHOLE, FIRST_HALF, SECOND_HALF]);
    check(hfHeard === WHOLE, `hands-free keeps the sentence with its ${pauseMs} ms pause whole`, String(hfHeard));
    if (speechStart) {
      const firstWordAt = hf.startedAt + hfSpans.sound[0]![0];
      console.info(
        `     speech-start announced ~${(speechStart.receivedAt - firstWordAt).toFixed(0)} ms after the first word (incl. capture start-up)`,
      );
    }
    await sleep(200);
    check(
      (await microphoneState(offscreen)).liveTracks === 0,
      'hands-free: the microphone is released after the automatic stop',
    );

    // ── Idle timeout ──
    await copyFile(silenceWav, micFile);
    await browser.clearEvents();
    await browser.send('offscreen:start-recording', {
      conversationId: 'check',
      handsFree: true,
      vad: { endSilenceMs: 700, idleTimeoutMs: 2000 },
    });
    const idleStart = Date.now();
    await waitFor('idle-timeout', async () =>
      (await browser.events()).find((e) => e.kind === 'sidepanel:recorder-event' && e.data.type === 'idle-timeout'),
    );
    const idleAfter = Date.now() - idleStart;
    await sleep(100);
    check(
      idleAfter > 1900 && idleAfter < 3500 && (await microphoneState(offscreen)).liveTracks === 0,
      'hands-free: silence ends listening after idleTimeoutMs and releases the microphone',
      `${idleAfter} ms`,
    );

    // ── Cancel ──
    await browser.send('offscreen:start-recording', { conversationId: 'check', handsFree: false, vad: VAD });
    await sleep(300);
    await browser.send('offscreen:cancel-recording');
    await sleep(100);
    const stopAfterCancel = await browser.send<{ status: string }>('offscreen:stop-recording');
    check(
      stopAfterCancel.status === 'not-recording' && (await microphoneState(offscreen)).liveTracks === 0,
      'cancel discards the turn and releases the microphone',
    );

    // ── Playback ──
    await browser.clearEvents();
    const target = { url: companion.url, token: 'tok', voice: '', speed: 1 };
    const sentences = ['Hello there, it is nice to meet you.', 'What did you do yesterday?', 'Tell me about it.'];
    const speakSentAt = await browser.page.evaluate(() => performance.timeOrigin + performance.now());
    for (const text of sentences) await browser.send('offscreen:speak', { turnId: 'reply-1', text, companion: target });
    await browser.send('offscreen:end-speech', { turnId: 'reply-1' });
    const finished = await waitFor('finished', async () =>
      (await browser.events()).find((e) => e.kind === 'sidepanel:speech-event' && e.data.type === 'finished'),
    );
    const speech = (await browser.events()).filter((e) => e.kind === 'sidepanel:speech-event').map((e) => e.data);
    const order = speech.filter((e) => e.type === 'started').map((e) => e.seq);
    check(
      finished.data.status === 'done' && JSON.stringify(order) === '[0,1,2]',
      'the teacher’s sentences play in order to the end',
      JSON.stringify(finished.data),
    );
    const firstAudio = speech.find((e) => e.type === 'started' && e.seq === 0)?.at as number;
    const firstSynth = speech.find((e) => e.type === 'synthesized' && e.seq === 0)?.ms as number;
    console.info(
      `     first audio ${(firstAudio - speakSentAt).toFixed(0)} ms after the first sentence was sent (its synthesis took ${firstSynth} ms)`,
    );
    const gaps = [1, 2].map((seq) => {
      const endedAt = speech.find((e) => e.type === 'ended' && e.seq === seq - 1)?.at as number;
      const startedAt = speech.find((e) => e.type === 'started' && e.seq === seq)?.at as number;
      return startedAt - endedAt;
    });
    check(
      gaps.every((gap) => gap < 60),
      'no gap between sentences (events ±timer jitter)',
      gaps.map((g) => `${g.toFixed(0)} ms`).join(', '),
    );
    check(
      companion.requests[0]?.authorization === 'Bearer tok' &&
        companion.requests[0]?.body.response_format === 'wav' &&
        !('voice' in companion.requests[0]!.body),
      'speech requests carry the token, ask for WAV, omit an empty voice',
    );
    const status = await browser.send<{ recording: boolean; speaking: boolean }>('offscreen:status');
    check(!status.recording && !status.speaking, 'status says idle after the reply', JSON.stringify(status));

    // ── Barge-in ──
    await browser.clearEvents();
    const long = [
      'This is a long first sentence that the learner will interrupt before it has finished playing.',
      'This second sentence must never be heard.',
      'Nor this third one.',
    ];
    const sourcesOfEarlierReplies = await offscreen<number>('window.__sources.length');
    for (const text of long) await browser.send('offscreen:speak', { turnId: 'reply-2', text, companion: target });
    await waitFor('first audio of reply 2', async () =>
      (await browser.events()).find((e) => e.data.type === 'started' && e.data.turnId === 'reply-2'),
    );
    await sleep(400);
    const sourcesBefore = await offscreen<number>('window.__sources.length');
    const bargeAt = await browser.page.evaluate(() => performance.timeOrigin + performance.now());
    const stop = await browser.send<{ turnId: string; heard: number[]; stoppedAt: number }>('offscreen:stop-speech');
    const late = await browser.send<number>('offscreen:speak', {
      turnId: 'reply-2',
      text: 'A late sentence.',
      companion: target,
    });
    await sleep(2500);
    const sources = await offscreen<Array<{ startedAt?: number; stoppedAt?: number }>>('window.__sources');
    const reply2 = sources.slice(sourcesOfEarlierReplies, sourcesBefore);
    const stoppedWithin = Math.max(...reply2.map((s) => (s.stoppedAt ?? Infinity) - bargeAt));
    check(
      stop.turnId === 'reply-2' && JSON.stringify(stop.heard) === '[0]',
      'barge-in reports what was heard',
      JSON.stringify(stop),
    );
    check(
      stoppedWithin < 100,
      'barge-in stops every playing and scheduled clip within 100 ms',
      `${reply2.length} clip(s) stopped ${stoppedWithin.toFixed(1)} ms after the request left the panel`,
    );
    const startedAfter = (await browser.events()).filter(
      (e) => e.data.type === 'started' && e.data.turnId === 'reply-2' && e.receivedAt > bargeAt,
    );
    check(
      sources.length === sourcesBefore && startedAfter.length === 0 && late === -1,
      'nothing of the interrupted reply plays later',
      `${sources.length - sourcesBefore} new sources, late speak → ${late}`,
    );

    // ── The voice's own rate ──
    // The player learnt the voice's rate from its WAVs; the next recording's start, while nothing
    // plays, leaves one open output at that rate, so the next reply's clips need no resampling.
    const voiceRate = readPcm16(await readFile(path.join(dir, 'tts-0.wav'))).rate;
    await browser.send('offscreen:start-recording', { conversationId: 'check', handsFree: false, vad: VAD });
    await sleep(200);
    const outputs = await offscreen<number[]>(
      'window.__contexts.filter((c) => !c.__microphone && c.state !== "closed").map((c) => c.sampleRate)',
    );
    await browser.send('offscreen:cancel-recording');
    check(
      outputs.length === 1 && outputs[0] === voiceRate,
      "the teacher's voice plays at its own rate",
      `open outputs at ${outputs.join(', ')} Hz; the voice's WAVs are at ${voiceRate} Hz`,
    );

    // ── Companion down ──
    await browser.clearEvents();
    const down = { url: 'http://127.0.0.1:9', token: '', voice: '', speed: 1 };
    await browser.send('offscreen:speak', { turnId: 'reply-3', text: 'Hello.', companion: down });
    // No end-speech: the reply is still streaming in when the first sentence fails.
    const failed = await waitFor('failed', async () =>
      (await browser.events()).find((e) => e.kind === 'sidepanel:speech-event' && e.data.type === 'failed'),
    );
    const afterFailure = await browser.send<number>('offscreen:speak', {
      turnId: 'reply-3',
      text: 'How are you?',
      companion: down,
    });
    check(
      failed.data.companionUnreachable === true && failed.data.seq === 0 && afterFailure === -1,
      'an unreachable companion is reported at once, mid-stream, and later sentences are left to the panel',
      `${JSON.stringify(failed.data)}; later speak → ${afterFailure}`,
    );

    // ── The permission page, granted ──
    await browser.page.reload();
    await browser.page
      .getByRole('button', { name: 'Allow microphone' })
      .click()
      .catch(() => undefined);
    const said = await browser.page.locator('[role=status]').textContent();
    check(/can hear you/.test(said ?? ''), 'permission page: says the microphone works', said ?? '');
  } finally {
    await browser.close();
    await companion.close();
  }

  // ── Permission states from a fresh profile ──
  const unprompted = await launch(micFile, 'none');
  try {
    await unprompted.offscreen();
    const reply = await unprompted.send<{ status: string }>('offscreen:start-recording', {
      conversationId: 'c',
      handsFree: false,
      vad: VAD,
    });
    check(
      reply.status === 'permission-needed',
      'never asked: the offscreen document answers permission-needed',
      reply.status,
    );
  } finally {
    await unprompted.close();
  }
  const denied = await launch(micFile, 'deny');
  try {
    await denied.page.getByRole('button', { name: 'Allow microphone' }).click();
    await denied.page.waitForFunction(
      () =>
        document.querySelector('[role=status]')?.textContent?.includes('blocked') ||
        document.querySelector('[role=status]')?.textContent?.includes('closed'),
    );
    const said = await denied.page.locator('[role=status]').textContent();
    const settingsVisible = await denied.page.getByText('chrome://settings/content/microphone').isVisible();
    check(
      settingsVisible || /closed without an answer/.test(said ?? ''),
      'denied: the permission page says how to allow it',
      `${said} (settings link visible: ${settingsVisible})`,
    );
    await denied.offscreen();
    const reply = await denied.send<{ status: string }>('offscreen:start-recording', {
      conversationId: 'c',
      handsFree: false,
      vad: VAD,
    });
    check(
      reply.status === 'permission-denied' || reply.status === 'permission-needed',
      'denied: the offscreen document answers with a permission state',
      reply.status,
    );
  } finally {
    await denied.close();
  }
  await rm(dir, { recursive: true, force: true });
  console.info(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exitCode = failures ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
