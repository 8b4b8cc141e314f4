import { statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { JudgePronunciationReply } from '../core/messages.ts';
import { talk, talkButton, transcriptions, usePanel, waitForPhase, waitUntil } from './fixtures';

/**
 * Every practice attempt judged for pronunciation in the real extension: a "Say it again" of a correction card,
 * said by eSpeak through the fake microphone, is judged in the recording document's worker (soundswallower's
 * WebAssembly and model from the build) while the stand-in transcribes it; a silent attempt is refused as
 * silent, with nothing sent anywhere.
 *
 * Until the pronunciation views show the judgement, it is read where the panel receives it: a tap on the panel's
 * runtime.sendMessage keeps the reply to each 'offscreen:judge-pronunciation' (and when each stop was asked for).
 */

const SLIP = 'Yesterday I go to the park near my house with my friend.';
const CORRECTED = 'Yesterday I went to the park near my house with my friend.';

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

const judgedSoFar = (page: Page) => page.evaluate(() => (window as unknown as { __judged: Judged[] }).__judged);
const stopsSoFar = (page: Page) => page.evaluate(() => (window as unknown as { __stops: number[] }).__stops);

/** How long the fake microphone's WAV speaks (16-bit 48 kHz mono, a 44-byte header; the last 600 ms are silence). */
const playMs = (wav: string) => Math.round(((statSync(wav).size - 44) / 96_000) * 1000) - 600;

describe('pronunciation judged on this computer, for every practice attempt', () => {
  const t = usePanel({
    sentences: { slip: SLIP, corrected: CORRECTED },
    // Neither the opening question nor the replies are waited for: the teacher's voice is not what is tested here.
    connect: 'saved',
    replyWords: 10,
    initScripts: [tapJudgements],
  });

  const card = () => t.page.locator('.correction-slot').last();

  /** Says `which` as an attempt at the card's sentence; resolves with the judgement once the attempt is over. */
  async function sayAgain(which: 'corrected' | 'silence', ms: number) {
    const before = (await judgedSoFar(t.page)).length;
    await t.stage.say(which);
    await card().getByRole('button', { name: 'Say it again' }).click();
    await waitForPhase(t.page, 'recording');
    await t.page.waitForTimeout(ms);
    const requests = t.stage.standin.requests.length;
    const pressed = Date.now();
    await card().getByRole('button', { name: 'Stop' }).click();
    await waitForPhase(t.page, 'idle', 30_000);
    const shownMs = Date.now() - pressed;
    const judged = await waitUntil(async () => (await judgedSoFar(t.page))[before], 10_000);
    const stop = (await stopsSoFar(t.page)).at(-1)!;
    return { judged, shownMs, judgedMs: judged.at - stop, requests: t.stage.standin.requests.slice(requests) };
  }

  it('judges a "Say it again" of a correction word by word, and the stand-in hears only its transcription', async () => {
    await t.stage.say('slip');
    // Pressed over the teacher's opening question, Talk silences it first.
    await talk(t.page, () => talkButton(t.page).click(), playMs(t.stage.wav.slip) + 200);
    // Pressed while the teacher still answers, the attempt silences the teacher first.
    await card().getByRole('button', { name: 'Say it again' }).waitFor({ timeout: 30_000 });

    const { judged, requests, shownMs, judgedMs } = await sayAgain('corrected', playMs(t.stage.wav.corrected) + 200);
    expect(judged.text).toBe(CORRECTED);
    const reply = judged.reply;
    if (reply.kind !== 'judged') throw new Error(`not judged: ${JSON.stringify(reply)}`);
    expect(reply.words.map((w) => w.text)).toEqual(CORRECTED.replace(/\.$/, '').split(' '));
    // eSpeak says the sentence as written: every word found in the recording, in order.
    for (const [i, word] of reply.words.entries()) {
      expect(word.verdict).not.toBe('missed');
      expect(word.end).toBeGreaterThan(word.start);
      if (i > 0) expect(word.start).toBeGreaterThanOrEqual(reply.words[i - 1]!.end);
    }
    expect(reply.score).toBeGreaterThan(60);
    // The transcription is the one request the attempt made; the judging sent nothing anywhere.
    expect(requests.map((r) => r.endpoint)).toEqual(['transcriptions']);
    expect(transcriptions(t.stage.standin).at(-1)?.status).toBe(200);
    // The word comparison still shows beside it.
    await card().locator('.attempt-success').waitFor();
    console.info(
      `first attempt (the model loads while it is recorded): second press → judgement in the panel ${Math.round(judgedMs)} ms, → result shown ${shownMs} ms`,
    );

    const judgedTimes = [judgedMs];
    const shownTimes = [shownMs];
    for (let i = 0; i < 4; i++) {
      const next = await sayAgain('corrected', playMs(t.stage.wav.corrected) + 200);
      expect(next.judged.reply.kind).toBe('judged');
      judgedTimes.push(next.judgedMs);
      shownTimes.push(next.shownMs);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.info(
      `${CORRECTED.split(' ').length}-word attempt, 5 times: second press → judgement in the panel ${judgedTimes.map(Math.round).join(', ')} ms (median ${Math.round(median(judgedTimes))}); → result shown ${shownTimes.join(', ')} ms (median ${median(shownTimes)})`,
    );
  });

  it('refuses a silent attempt as silent, with no request at all and no "heard nothing" notice', async () => {
    const { judged, requests } = await sayAgain('silence', 1_500);
    expect(judged.reply).toEqual({ kind: 'refused', reason: 'silent', messageKey: 'pronunciation.silent' });
    expect(requests).toEqual([]);
    expect((await t.page.locator('.banner').allTextContents()).join(' ')).not.toMatch(/didn’t hear anything/);
  });
});
