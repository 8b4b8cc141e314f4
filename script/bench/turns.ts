import { copyFile, readFile } from 'node:fs/promises';
import type { RecordedRequest, Standin } from '../openai-standin/server.ts';
import { splitSentences } from '../../common/sentence-splitter.ts';
import { gapsOf, lateSyntheses, speechSpan, staleStarts } from './analysis.ts';
import { correctionsLaneOf, isCorrectionsRequest, lanesOfTurn } from './corrections.ts';
import {
  configure,
  phase,
  pressShortcut,
  pressTalk,
  readDb,
  speechEvents,
  waitForDb,
  waitForFirstAudio,
  waitForPhase,
  type BenchBrowser,
  type DbMessage,
} from './browser.ts';
import { streamChat, synthesize, type SpeechTarget } from './node-pipeline.ts';
import { STEP_NAMES, type BargeIn, type HandsFree, type TimedTurn } from './report.ts';
import type { SpeechTap } from './speech-tap.ts';

/**
 * The bench's turns, driven in the browser as a learner would: timed turns (through the keyboard
 * shortcut or the Talk button), barge-ins, and one hands-free turn; each measured from IndexedDB
 * and the stand-in's record of the extension's requests.
 */

/** What the learner says on the timed turns (and the stand-in's fixed transcript for them). */
export const TIMED_SENTENCE = 'Yesterday I go to the park with my friend.';
/** Hands-free: a sentence with a ~400 ms pause inside it, which must not end the turn. */
export const HANDS_FREE_FIRST = 'I went to the market yesterday';
export const HANDS_FREE_SECOND = 'and I bought some fresh apples';
const HANDS_FREE_WHOLE = `${HANDS_FREE_FIRST} ${HANDS_FREE_SECOND}`;
export const HANDS_FREE_PAUSE_MS = 400;
/** How long the learner holds Talk on a timed turn; the WAV has ~2.5 s of speech after 300 ms. */
const HOLD_MS = 2_000;

const fromExtension = (rec: RecordedRequest): boolean => (rec.headers.origin ?? '').startsWith('chrome-extension://');

function latestFromExtension(
  standin: Standin,
  endpoint: RecordedRequest['endpoint'],
  after: number,
): RecordedRequest | undefined {
  // The corrections lane's requests go to the chat endpoint too; the teacher's is the one wanted.
  return standin.requests
    .filter((r) => r.endpoint === endpoint && fromExtension(r) && r.receivedAt >= after && !isCorrectionsRequest(r))
    .at(-1);
}

async function assistantMessage(browser: BenchBrowser, id: string, has: (m: DbMessage) => boolean): Promise<DbMessage> {
  return waitForDb(browser.panel, (db) => db.messages.find((m) => m.id === id && has(m)), 15_000);
}

export interface TurnPlan {
  label: string;
  path: TimedTurn['path'];
  kind: TimedTurn['kind'];
}

async function press(browser: BenchBrowser, path: TimedTurn['path']): Promise<number | undefined> {
  if (path === 'shortcut') return pressShortcut(browser);
  await pressTalk(browser.panel);
  return undefined;
}

export async function timedTurn(
  plan: TurnPlan,
  browser: BenchBrowser,
  standin: Standin,
  voice: SpeechTarget,
  tap: SpeechTap,
  knownTurns: string[],
): Promise<TimedTurn> {
  const page = browser.panel;
  await waitForPhase(page, 'idle', 120_000);
  const turnStart = Date.now();
  await press(browser, plan.path);
  await waitForPhase(page, 'recording');
  await page.waitForTimeout(HOLD_MS);
  const dispatchedAt = await press(browser, plan.path);
  const turnId = await waitForFirstAudio(page, knownTurns);
  knownTurns.push(turnId);
  // The whole reply plays before anything else happens, so the gaps cover every sentence and the
  // Node measurements below compete with nothing.
  await waitForPhase(page, 'idle', 180_000);
  const message = await assistantMessage(
    browser,
    turnId,
    (m) => m.timings.firstAudioAt !== undefined && m.status === 'done',
  );
  const t = message.timings;
  const pressedAt = dispatchedAt ?? t.stopPressedAt ?? Number.NaN;
  const steps: Record<string, number> = {};
  for (const [key] of STEP_NAMES) steps[key] = (t[key] ?? Number.NaN) - pressedAt;
  const firstAudioMs = steps.firstAudioAt ?? Number.NaN;

  const transcription = latestFromExtension(standin, 'transcriptions', turnStart);
  // With --stt the companion transcribes, behind the tap, which timed the request instead.
  const transcribed = tap.transcriptions.filter((r) => r.at >= turnStart && r.status === 200).at(-1);
  const chat = latestFromExtension(standin, 'chat', turnStart);
  const transcriptionServerMs = transcription?.completedAt
    ? transcription.completedAt - transcription.receivedAt
    : (transcribed?.doneAt ?? Number.NaN) - (transcribed?.at ?? Number.NaN);
  if (!Number.isFinite(transcriptionServerMs) || !chat?.body)
    throw new Error(
      `turn ${plan.label}: neither the stand-in nor the companion's tap recorded the extension's requests`,
    );
  const firstSpoken = tap.requests.find((r) => r.at >= pressedAt)?.input ?? '';

  const node = await streamChat(standin.url, standin.apiKey, chat.body);
  const firstSentenceSynthMs = (await synthesize(voice, node.firstSentence)).ms;
  const wholeReplySynthMs = (await synthesize(voice, node.reply)).ms;
  const sequentialMs = transcriptionServerMs + node.doneMs + wholeReplySynthMs;
  const criticalPathMs = transcriptionServerMs + node.firstSentenceMs + firstSentenceSynthMs;
  const events = await speechEvents(page);
  // The card is usually up long before the reply ends; wait a little in case the lane is slower.
  const learner = await waitForDb(
    page,
    (db) =>
      db.messages.find(
        (m) => m.role === 'user' && m.timings.stopPressedAt === t.stopPressedAt && m.timings.checkedAt !== undefined,
      ),
    15_000,
  ).catch(() => undefined);
  const lanes = lanesOfTurn(
    plan.label,
    firstAudioMs,
    learner?.timings.checkedAt,
    pressedAt,
    correctionsLaneOf(standin.requests, turnStart),
  );
  return {
    ...plan,
    lanes,
    turnId,
    steps,
    firstAudioMs,
    uploadLeavesMs: steps.uploadSentAt ?? Number.NaN,
    pressReachesPanelMs: dispatchedAt === undefined ? Number.NaN : (t.stopPressedAt ?? Number.NaN) - dispatchedAt,
    transcriptionServerMs,
    node,
    firstSentenceSynthMs,
    wholeReplySynthMs,
    sequentialMs,
    ratio: firstAudioMs / sequentialMs,
    criticalPathMs,
    overheadMs: firstAudioMs - criticalPathMs,
    gaps: gapsOf(events, turnId),
    sameReply: node.reply === chat.reply,
    firstSpoken,
  };
}

/**
 * Extra turns, each interrupted by pressing Talk 1–2 s after its first audio. The press that
 * interrupts also starts the next recording, as it does for a learner; the last one records
 * silence, which the panel discards.
 */
export async function bargeIns(
  count: number,
  browser: BenchBrowser,
  standin: Standin,
  mic: { file: string; speech: string; silence: string },
  knownTurns: string[],
): Promise<BargeIn[]> {
  const page = browser.panel;
  const results: Array<Omit<BargeIn, 'staleStarts' | 'lateSyntheses' | 'chatAborted'> & { chat?: RecordedRequest }> =
    [];
  if (count === 0) return [];
  await waitForPhase(page, 'idle', 120_000);
  await copyFile(mic.speech, mic.file);
  await pressTalk(page);
  await waitForPhase(page, 'recording');
  for (let k = 0; k < count; k++) {
    const turnStart = Date.now();
    await page.waitForTimeout(HOLD_MS);
    await pressTalk(page);
    const turnId = await waitForFirstAudio(page, knownTurns);
    knownTurns.push(turnId);
    const delay = count === 1 ? 1_500 : 1_000 + (1_000 * k) / (count - 1);
    await page.waitForTimeout(delay);
    if (k === count - 1) await copyFile(mic.silence, mic.file);
    const current = await phase(page);
    const firstAudioAt = (await speechEvents(page)).find(
      (e) => e.turnId === turnId && e.type === 'started' && e.seq === 0,
    );
    await pressTalk(page);
    if (current !== 'speaking' && current !== 'thinking') {
      console.warn(
        `barge-in ${k + 1}: the teacher had already finished (${current}); this press started a normal turn`,
      );
    }
    await waitForPhase(page, 'recording');
    const message = await assistantMessage(browser, turnId, (m) => m.timings.silencedAt !== undefined);
    results.push({
      turn: k + 1,
      turnId,
      pressAfterFirstAudioMs:
        firstAudioAt && 'at' in firstAudioAt
          ? (message.timings.interruptedAt ?? Number.NaN) - firstAudioAt.at
          : Number.NaN,
      stopMs: (message.timings.silencedAt ?? Number.NaN) - (message.timings.interruptedAt ?? Number.NaN),
      heardSentences: message.text ? splitSentences(message.text).length : 0,
      status: message.status,
      chat: latestFromExtension(standin, 'chat', turnStart),
    });
  }
  // The last recording holds only silence: stopping it sends nothing.
  await page.waitForTimeout(600);
  await pressTalk(page);
  await waitForPhase(page, 'idle', 30_000);
  await copyFile(mic.speech, mic.file);
  // Long enough for any stale sentence of the interrupted replies to have been synthesised and played.
  await page.waitForTimeout(2_000);
  const events = await speechEvents(page);
  const db = await readDb(page);
  return results.map(({ chat, ...result }) => {
    const silencedAt = db.messages.find((m) => m.id === result.turnId)?.timings.silencedAt ?? Number.NaN;
    return {
      ...result,
      staleStarts: staleStarts(events, result.turnId, silencedAt).length,
      lateSyntheses: lateSyntheses(events, result.turnId, silencedAt).length,
      chatAborted: chat ? chat.aborted : null,
    };
  });
}

export async function handsFreeTurn(
  browser: BenchBrowser,
  standin: Standin,
  mic: { file: string; handsFree: string; silence: string },
): Promise<HandsFree> {
  const page = browser.panel;
  await waitForPhase(page, 'idle', 120_000);
  await configure(page, { handsFree: true });
  standin.control.setTranscript(null);
  standin.control.setCandidates([HANDS_FREE_WHOLE, HANDS_FREE_FIRST, HANDS_FREE_SECOND, TIMED_SENTENCE]);
  const span = speechSpan(await readFile(mic.handsFree));
  await copyFile(mic.handsFree, mic.file);
  const before = new Set((await readDb(page)).messages.map((m) => m.id));
  await pressTalk(page);
  await waitForPhase(page, 'listening');
  await waitForPhase(page, ['stopping', 'transcribing', 'thinking', 'speaking'], 30_000);
  // The microphone file is read at each capture start: hands-free listens again after the
  // transcript, and must hear silence then, not this sentence a second time.
  await copyFile(mic.silence, mic.file);
  const user = await waitForDb(
    page,
    (db) =>
      db.messages.find((m) => !before.has(m.id) && m.role === 'user' && (m.status === 'done' || m.status === 'failed')),
    30_000,
  );
  const db = await readDb(page);
  const recording = db.recordings.find((r) => r.id === user.recordingId);
  if (!recording) throw new Error('the hands-free recording is not in IndexedDB');
  const stopLagMs = (user.timings.recordingStoppedAt ?? Number.NaN) - (user.timings.stopPressedAt ?? Number.NaN);
  return {
    speechEndInFileMs: span.speechEndMs,
    pausesInFile: span.pauses,
    recordingMs: recording.durationMs,
    quietToTurnEndMs: recording.durationMs - span.speechEndMs,
    quietToDecisionMs: recording.durationMs - stopLagMs - span.speechEndMs,
    transcript: user.text,
    wholeSentenceKept: normalise(user.text) === normalise(HANDS_FREE_WHOLE),
  };
}

const normalise = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z' ]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
