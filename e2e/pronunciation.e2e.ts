import { statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JudgePronunciationReply } from '../core/messages.ts';
import { makeSpeechWav } from '../script/lib/speech-wav.ts';
import { SELECTED, SELECT_FIRST_PARAGRAPH, SELECTION_TITLE } from './pages';
import { talk, talkButton, transcriptions, usePanel, waitForPhase, waitUntil } from './fixtures';

/**
 * Every practice attempt judged for pronunciation in the real extension, as the learner sees it: "Say it again" on
 * a correction card, "Read it aloud" on a page selection, "Repeat after me" under a teacher reply and a Sounds tab
 * drill, each said by eSpeak through the fake microphone and judged in the recording document's worker
 * (soundswallower's WebAssembly and model from the build). The stand-in sees only the transcriptions of the
 * attempts that have one; a silent attempt is refused as silent, with nothing sent anywhere.
 *
 * The timings are read where the panel receives the judgement: a tap on the panel's runtime.sendMessage keeps the
 * reply to each 'offscreen:judge-pronunciation' (and when each stop was asked for).
 */

const SLIP = 'Yesterday I go to the park because I think it is nice.';
const CORRECTED = 'Yesterday I went to the park because I think it is nice.';
/**
 * The corrected sentence with "think" said as "sink": offscreen/pronunciation/judge.test.ts shows the judge hears
 * that /θ/ as /s/ by its energy above 4 kHz; of the swaps tried (light/right, lake/rake, play/pray) it is the one
 * whose sound to work on is the swapped sound itself.
 */
const SWAPPED = 'Yesterday I went to the park because I sink it is nice.';

interface Judged {
  sentAt: number;
  at: number;
  text: string;
  reply: JudgePronunciationReply;
}

/** Runs in the panel before its scripts: keeps each judgement the panel is answered, and each stop's moment. */
function tapJudgements(): void {
  const seen = window as unknown as { __judged: unknown[]; __stops: number[] };
  seen.__judged = [];
  seen.__stops = [];
  const runtime = chrome.runtime as unknown as { sendMessage: (...args: unknown[]) => unknown };
  const original = runtime.sendMessage.bind(chrome.runtime);
  runtime.sendMessage = (...args: unknown[]) => {
    const message = args[0] as { type?: string; data?: { text: string } } | undefined;
    if (message?.type === 'offscreen:stop-recording') seen.__stops.push(performance.now());
    if (message?.type !== 'offscreen:judge-pronunciation') return original(...args);
    const sentAt = performance.now();
    const keep = (response: { res?: unknown } | undefined) =>
      seen.__judged.push({ sentAt, at: performance.now(), text: message.data?.text, reply: response?.res });
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (response: { res?: unknown } | undefined) => {
        keep(response);
        (callback as (response: unknown) => void)(response);
      };
      return original(...args);
    }
    return (original(...args) as Promise<{ res?: unknown } | undefined>).then((response) => {
      keep(response);
      return response;
    });
  };
}

/** Runs in the panel before its scripts: keeps each stretch of audio the panel itself plays (a word of an attempt). */
function tapPlayback(): void {
  const played: Array<{ offset: number; duration: number; at: number }> = [];
  (window as unknown as { __played: typeof played }).__played = played;
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, ...args: number[]) {
    played.push({ offset: args[1] ?? 0, duration: args[2] ?? this.buffer?.duration ?? 0, at: Date.now() });
    return start.apply(this, args as Parameters<typeof start>);
  };
}

const judgedSoFar = (page: Page) => page.evaluate(() => (window as unknown as { __judged: Judged[] }).__judged);
const stopsSoFar = (page: Page) => page.evaluate(() => (window as unknown as { __stops: number[] }).__stops);
const playedSoFar = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __played: Array<{ offset: number; duration: number; at: number }> }).__played,
  );

/** How long the fake microphone's WAV speaks (16-bit 48 kHz mono, a 44-byte header; the last 600 ms are silence). */
const playMs = (wav: string) => Math.round(((statSync(wav).size - 44) / 96_000) * 1000) - 600;

interface ShownWord {
  text: string;
  verdict: string;
  mark: string;
  label: string;
}

/** A judged result as the learner sees it: the score line, each word with its mark and words, the sounds. */
async function shownResult(result: Locator) {
  const scoreLine = (await result.locator('.pronunciation-score').textContent()) ?? '';
  const words: ShownWord[] = await result.locator('.pronunciation-words > li').evaluateAll((items) =>
    items.map((li) => ({
      text: li.querySelector('.pron-text')?.textContent ?? '',
      verdict: [...li.classList].find((c) => c.startsWith('pron-') && c !== 'pron-word')?.slice('pron-'.length) ?? '',
      mark: li.querySelector('.pron-mark')?.textContent ?? '',
      label: li.querySelector('.pron-label, .visually-hidden')?.textContent ?? '',
    })),
  );
  const sounds = await result.locator('.pronunciation-sound').evaluateAll((items) =>
    items.map((li) => ({
      heading: li.querySelector('.pronunciation-sound-ipa')?.textContent ?? '',
      hint: li.querySelector('.pronunciation-hint')?.textContent ?? '',
      text: li.textContent ?? '',
    })),
  );
  return { scoreLine, score: Number(/Pronunciation: (\d+) \/ 100/.exec(scoreLine)?.[1]), words, sounds };
}

/** What each verdict must say besides its colour: a mark, and words a screen reader reads (locales/en.yml). */
const SAID: Record<string, { mark: string; label: string }> = {
  good: { mark: '✓', label: 'said well' },
  unclear: { mark: '~', label: '(unclear)' },
  missed: { mark: '✗', label: '(missed)' },
  unknown: { mark: '', label: '(not judged)' },
};

function expectMarked(words: readonly ShownWord[]): void {
  for (const word of words) expect({ text: word.text, verdict: word.verdict, ...SAID[word.verdict] }).toEqual(word);
}

describe('pronunciation judged on this computer, for every practice attempt', () => {
  const t = usePanel({
    sentences: { slip: SLIP, corrected: CORRECTED, swapped: SWAPPED, selected: SELECTED },
    // The opening question is not waited for: the first Talk press silences it.
    connect: 'saved',
    replyWords: 10,
    pages: '127.0.0.1',
    initScripts: [tapJudgements, tapPlayback],
  });

  /** What the companion was asked to say, in order (its engine, wrapped: the stage runs it in this process). */
  const synthesized: Array<{ text: string; at: number }> = [];
  beforeAll(() => {
    const engine = t.stage.companion.engine;
    const synthesize = engine.synthesize.bind(engine);
    engine.synthesize = (text, ...rest) => {
      synthesized.push({ text, at: Date.now() });
      return synthesize(text, ...rest);
    };
  });

  const card = () => t.page.locator('.correction-slot').last();
  const requestsSince = (count: number) => t.stage.standin.requests.slice(count).map((r) => r.endpoint);
  const lastJudged = async () => {
    const reply = (await judgedSoFar(t.page)).at(-1)?.reply;
    if (reply?.kind !== 'judged') throw new Error(`not judged: ${JSON.stringify(reply)}`);
    return reply;
  };

  /** Has the fake microphone say `text` next (eSpeak); resolves with how long it speaks. */
  async function sayText(name: string, text: string): Promise<number> {
    const wav = await makeSpeechWav(
      [{ silenceMs: 300 }, text, { silenceMs: 600 }],
      path.join(t.stage.dir, `${name}.wav`),
    );
    await copyFile(wav, t.stage.mic);
    return playMs(wav);
  }

  /** Presses `start`, lets the microphone speak for `ms`, presses `stop`, and waits until the attempt is over. */
  async function attempt(start: Locator, stop: Locator, ms: number) {
    await start.click();
    await waitForPhase(t.page, 'recording');
    await t.page.waitForTimeout(ms);
    const pressed = Date.now();
    await stop.click();
    await waitForPhase(t.page, 'idle', 30_000);
    return Date.now() - pressed;
  }

  /** Says `which` as an attempt at the card's sentence; resolves with the judgement once the attempt is over. */
  async function sayAgain(which: 'corrected' | 'swapped' | 'silence', ms: number) {
    const before = (await judgedSoFar(t.page)).length;
    await t.stage.say(which);
    const requests = t.stage.standin.requests.length;
    const shownMs = await attempt(
      card().getByRole('button', { name: 'Say it again' }),
      card().getByRole('button', { name: 'Stop' }),
      ms,
    );
    const judged = await waitUntil(async () => (await judgedSoFar(t.page))[before], 10_000);
    const stop = (await stopsSoFar(t.page)).at(-1)!;
    return { judged, shownMs, judgedMs: judged.at - stop, requests: requestsSince(requests) };
  }

  it('"Say it again" shows the score, each word marked in words too, and the swapped sound with its hint; only the transcription is sent', async () => {
    await t.stage.say('slip');
    // Pressed over the teacher's opening question, Talk silences it first.
    await talk(t.page, () => talkButton(t.page).click(), playMs(t.stage.wav.slip) + 200);
    // Pressed while the teacher still answers, the attempt silences the teacher first.
    await card().getByRole('button', { name: 'Say it again' }).waitFor({ timeout: 30_000 });

    const { judged, requests, shownMs, judgedMs } = await sayAgain('swapped', playMs(t.stage.wav.swapped) + 200);
    expect(judged.text).toBe(CORRECTED);
    const reply = await lastJudged();
    const shown = await shownResult(card());
    expect(shown.score).toBe(Math.round(reply.score));
    expect(shown.words.map((w) => w.text)).toEqual(CORRECTED.replace(/\.$/, '').split(' '));
    expectMarked(shown.words);
    // "sink" for "think": that word is marked unclear, the words around it said well.
    expect(shown.words.find((w) => w.text === 'think')?.verdict).toBe('unclear');
    for (const text of ['Yesterday', 'went', 'park', 'because']) {
      expect(shown.words.find((w) => w.text === text)?.verdict).toBe('good');
    }
    expect(await card().locator('.pronunciation-sounds h3').textContent()).toBe('Sounds to work on');
    const th = shown.sounds.find((s) => s.heading === '/θ/ in “think”');
    expect(th, JSON.stringify(shown.sounds)).toBeDefined();
    expect(th!.text).toContain('It sounded closer to /s/.');
    expect(th!.hint).toMatch(/^Put the tip of your tongue lightly between your teeth/);
    // The transcription is the one request the attempt made; the judging sent nothing anywhere.
    expect(requests).toEqual(['transcriptions']);
    expect(transcriptions(t.stage.standin).at(-1)?.status).toBe(200);
    console.info(
      `first attempt (the model loads while it is recorded): second press → judgement in the panel ${Math.round(judgedMs)} ms, → result shown ${shownMs} ms`,
    );

    // Said as written: every word found in the recording, in order, and a higher score.
    const judgedTimes: number[] = [];
    const shownTimes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const next = await sayAgain('corrected', playMs(t.stage.wav.corrected) + 200);
      if (next.judged.reply.kind !== 'judged') throw new Error(`not judged: ${JSON.stringify(next.judged.reply)}`);
      judgedTimes.push(next.judgedMs);
      shownTimes.push(next.shownMs);
      expect(next.requests).toEqual(['transcriptions']);
    }
    const asWritten = await shownResult(card());
    expectMarked(asWritten.words);
    expect(asWritten.words.find((w) => w.text === 'think')?.verdict).toBe('good');
    expect(asWritten.words.filter((w) => w.verdict === 'missed')).toEqual([]);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.info(
      `${CORRECTED.split(' ').length}-word attempt said as written, 4 times after the first: second press → judgement in the panel ${judgedTimes.map(Math.round).join(', ')} ms (median ${Math.round(median(judgedTimes))}); → result shown ${shownTimes.join(', ')} ms (median ${median(shownTimes)})`,
    );
  });

  it('refuses a silent attempt as silent: the message as an alert, no score, no request at all', async () => {
    const { judged, requests } = await sayAgain('silence', 1_500);
    expect(judged.reply).toEqual({ kind: 'refused', reason: 'silent', messageKey: 'pronunciation.silent' });
    const alert = card().locator('.attempt [role=alert]');
    expect(await alert.textContent()).toBe(
      'Nothing was heard. Check that the microphone is on and say the sentence again.',
    );
    expect(await card().locator('.pronunciation-score').count()).toBe(0);
    expect(await card().locator('.pronunciation-words').count()).toBe(0);
    expect(requests).toEqual([]);
    expect((await t.page.locator('.banner').allTextContents()).join(' ')).not.toMatch(/didn’t hear anything/);
  });

  it('"Read it aloud" on a page selection shows the score and the words marked; only the transcription is sent', async () => {
    await waitForPhase(t.page, 'idle', 40_000);
    const reading = await t.browser.context.newPage();
    await reading.goto(t.pages.selection);
    expect(await reading.evaluate(SELECT_FIRST_PARAGRAPH)).toBe(SELECTED);
    const worker = await t.browser.serviceWorker();
    // The page command's real listener, as the shortcut fires it (e2e/page-talk.e2e.ts).
    await worker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ url });
      if (!tab) throw new Error(`no tab shows ${url}`);
      // @ts-expect-error dispatch is not in the typings, but fires the real listeners
      chrome.commands.onCommand.dispatch('talk-about-page', tab);
    }, t.pages.selection);
    await t.page
      .locator('.message-assistant', { hasText: `I see you are reading “${SELECTION_TITLE}”` })
      .waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);

    await t.stage.say('selected');
    const requests = t.stage.standin.requests.length;
    await attempt(
      t.page.getByRole('button', { name: 'Read it aloud' }),
      t.page.getByRole('button', { name: 'Stop reading' }),
      playMs(t.stage.wav.selected) + 200,
    );
    const result = t.page.locator('.reading-result');
    await result.locator('.pronunciation-score').waitFor({ timeout: 10_000 });
    const reply = await lastJudged();
    const shown = await shownResult(result);
    expect(shown.score).toBe(Math.round(reply.score));
    expect(shown.score).toBeGreaterThan(60);
    expect(shown.words.map((w) => w.text)).toEqual(SELECTED.replace(/\.$/, '').split(' '));
    expectMarked(shown.words);
    expect(requestsSince(requests)).toEqual(['transcriptions']);
    await reading.close();
  });

  it('"Repeat after me" judges the sentence said back with no request at all; a word pressed plays the learner, then the teacher', async () => {
    await waitForPhase(t.page, 'idle', 40_000);
    // The teacher's question about the page, heard to its end (a reply cut short offers only what was said).
    await t.page
      .locator('.message-assistant', { hasText: `I see you are reading “${SELECTION_TITLE}”` })
      .getByRole('button', { name: 'Repeat after me' })
      .click();
    const repeat = t.page.getByRole('region', { name: 'Repeat after me, sentence by sentence' });
    // Past its "Hello!": a sentence of a few words, whose words' slices can be told apart.
    let sentence = (await repeat.locator('.repeat-sentence').textContent())!;
    while (sentence.split(' ').length < 5) {
      await repeat.getByRole('button', { name: 'Next sentence' }).click();
      sentence = (await repeat.locator('.repeat-sentence').textContent())!;
    }
    console.info(`Repeat after me: “${sentence}”`);
    const ms = await sayText('repeat', sentence);
    const requests = t.stage.standin.requests.length;
    await attempt(
      repeat.getByRole('button', { name: 'Say it', exact: true }),
      repeat.getByRole('button', { name: 'Stop', exact: true }),
      ms + 200,
    );
    await repeat.locator('.pronunciation-score').waitFor({ timeout: 10_000 });
    const reply = await lastJudged();
    const shown = await shownResult(repeat);
    expect(shown.score).toBe(Math.round(reply.score));
    expect(shown.score).toBeGreaterThan(60);
    expect(shown.words.map((w) => w.text)).toEqual(reply.words.map((w) => w.text));
    // The sentence's words, without their punctuation.
    const bare = (text: string) => text.replace(/[^\p{L}\p{N}'’]/gu, '');
    expect(shown.words.map((w) => bare(w.text))).toEqual(sentence.split(/\s+/).map(bare).filter(Boolean));
    expectMarked(shown.words);
    expect(requestsSince(requests)).toEqual([]);

    // The longest word said well: its slice of the recording is long enough to tell from the whole.
    const index = shown.words.reduce(
      (best, w, i) => (w.verdict === 'good' && w.text.length > (shown.words[best]?.text.length ?? 0) ? i : best),
      -1,
    );
    const word = reply.words[index]!;
    const played = (await playedSoFar(t.page)).length;
    const said = synthesized.length;
    await repeat
      .getByRole('button', { name: `${word.text} — said well. Play your recording and the teacher’s` })
      .click();
    const slice = await waitUntil(async () => (await playedSoFar(t.page))[played], 10_000);
    // The judge's span of the word, 50 ms either side (features/talk/attempt-playback.ts).
    expect(slice.offset).toBeCloseTo(Math.max(0, word.start - 0.05), 2);
    expect(slice.duration).toBeCloseTo(word.end - word.start + 0.1, 2);
    const teacher = await waitUntil(() => synthesized.slice(said).find((s) => s.text === word.text), 20_000);
    // The teacher is asked for the word only once the learner's slice has been heard.
    expect(teacher.at).toBeGreaterThanOrEqual(slice.at + slice.duration * 1000 - 50);
    expect(requestsSince(requests)).toEqual([]);
    await repeat.getByRole('button', { name: 'Close' }).click();
  });

  it('lists the sound "Say it again" went wrong on in the Sounds tab; its drill is judged with no request at all', async () => {
    await t.page.getByRole('button', { name: 'Notebook', exact: true }).click();
    await t.page.getByRole('tab', { name: 'Sounds' }).click();
    const sound = t.page
      .locator('.sound-entry')
      .filter({ has: t.page.getByRole('heading', { name: '/θ/ as in “think”' }) });
    const examples = (await sound.locator('.sound-examples').textContent()) ?? '';
    expect(examples).toContain('think');
    expect(examples).toContain('sounded like /s/');
    const pair = ((await sound.locator('.say-again-target').textContent()) ?? '').replace(/^Say: /, '');
    const ms = await sayText('drill', pair);
    const requests = t.stage.standin.requests.length;
    await attempt(
      sound.getByRole('button', { name: /^Practise \/θ\/: say / }),
      sound.getByRole('button', { name: 'Stop', exact: true }),
      ms + 200,
    );
    await sound.locator('.pronunciation-score').waitFor({ timeout: 10_000 });
    const reply = await lastJudged();
    const shown = await shownResult(sound);
    expect(shown.score).toBe(Math.round(reply.score));
    expect(shown.words.map((w) => w.text)).toEqual(reply.words.map((w) => w.text));
    expect(shown.words.length).toBeGreaterThan(1);
    expectMarked(shown.words);
    expect(requestsSince(requests)).toEqual([]);
  });
});
