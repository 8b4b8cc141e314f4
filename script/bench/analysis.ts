/**
 * The bench's arithmetic, kept apart from the browser so it can be unit-tested: medians, the gaps
 * between spoken sentences derived from the offscreen document's speech events, the speech span
 * of a WAV file, and the verdicts against the targets (issues 4 and 10).
 */

import { encodePcm16, readPcm16 } from '../lib/wav.ts';

/** A 'sidepanel:speech-event' as the panel page received it, plus when it arrived there. */
export type BenchSpeechEvent =
  | { type: 'synthesized'; turnId: string; seq: number; at: number; ms: number; receivedAt: number }
  | { type: 'started' | 'ended'; turnId: string; seq: number; at: number; receivedAt: number }
  | { type: 'finished'; turnId: string; status: string; heard: number[]; receivedAt: number }
  | { type: 'failed'; turnId: string; seq: number; message: string; receivedAt: number };

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function maximum(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? Number.NaN : Math.max(...finite);
}

export interface SentenceTimes {
  seq: number;
  synthesizedAt?: number;
  startedAt?: number;
  endedAt?: number;
}

export interface GapReport {
  sentences: number;
  /**
   * Largest started(n+1) − ended(n) as the events report it (negative values count as 0). 'started'
   * of a clip queued behind another comes from a timer set to the clip's AudioContext start time,
   * so a late timer shows here as a gap that was never audible.
   */
  eventGapMs: number;
  /**
   * Largest silence the AudioContext schedule implies: the player schedules each clip the moment it
   * is decoded ('synthesized'), right after the previous one; a clip decoded before its predecessor
   * ended plays back to back (0 ms), otherwise silence lasts from that end until it was decoded.
   */
  audibleGapMs: number;
  /** The sentence after which the larger of the two gaps occurs (-1 with fewer than two sentences). */
  worstAfterSeq: number;
  /** Sentences that were synthesised but never reported as started or ended. */
  missing: number[];
}

export function sentenceTimes(events: readonly BenchSpeechEvent[], turnId: string): SentenceTimes[] {
  const bySeq = new Map<number, SentenceTimes>();
  for (const event of events) {
    if (event.turnId !== turnId || !('seq' in event)) continue;
    const entry = bySeq.get(event.seq) ?? { seq: event.seq };
    if (event.type === 'synthesized') entry.synthesizedAt = event.at;
    if (event.type === 'started') entry.startedAt = event.at;
    if (event.type === 'ended') entry.endedAt = event.at;
    bySeq.set(event.seq, entry);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export function gapsOf(events: readonly BenchSpeechEvent[], turnId: string): GapReport {
  const times = sentenceTimes(events, turnId);
  let eventGapMs = 0;
  let audibleGapMs = 0;
  let worstAfterSeq = -1;
  let worst = -1;
  for (let i = 0; i + 1 < times.length; i++) {
    const current = times[i]!;
    const next = times[i + 1]!;
    if (current.endedAt === undefined || next.startedAt === undefined) continue;
    const eventGap = Math.max(0, next.startedAt - current.endedAt);
    const audibleGap = next.synthesizedAt === undefined ? eventGap : Math.max(0, next.synthesizedAt - current.endedAt);
    eventGapMs = Math.max(eventGapMs, eventGap);
    audibleGapMs = Math.max(audibleGapMs, audibleGap);
    if (Math.max(eventGap, audibleGap) > worst) {
      worst = Math.max(eventGap, audibleGap);
      worstAfterSeq = current.seq;
    }
  }
  const missing = times
    .filter((t) => t.synthesizedAt !== undefined && (t.startedAt === undefined || t.endedAt === undefined))
    .map((t) => t.seq);
  return { sentences: times.length, eventGapMs, audibleGapMs, worstAfterSeq, missing };
}

/** Events of an interrupted turn that say audio started after the teacher was silenced. */
export function staleStarts(
  events: readonly BenchSpeechEvent[],
  turnId: string,
  silencedAt: number,
): BenchSpeechEvent[] {
  return events.filter(
    (event) =>
      event.turnId === turnId &&
      event.type === 'started' &&
      (event.at > silencedAt || event.receivedAt > silencedAt + 50),
  );
}

/** Sentences of an interrupted turn whose synthesis was still reported as finished after the stop. */
export function lateSyntheses(
  events: readonly BenchSpeechEvent[],
  turnId: string,
  silencedAt: number,
): BenchSpeechEvent[] {
  return events.filter((event) => event.turnId === turnId && event.type === 'synthesized' && event.at > silencedAt);
}

// ── WAV ──────────────────────────────────────────────────────────────────────────────────────

export interface SpeechSpan {
  durationMs: number;
  /** Start of the first and end of the last 10 ms window louder than the threshold. */
  speechStartMs: number;
  speechEndMs: number;
  /** Quiet stretches inside the speech longer than 200 ms: [start, end] in ms. */
  pauses: Array<[number, number]>;
}

/**
 * Where speech is in a 16-bit PCM WAV, from 10 ms windows whose RMS is above `thresholdDb` dBFS
 * (-50 by default, the voice-activity detector's own floor for speech).
 */
export function speechSpan(wav: Buffer, thresholdDb = -50): SpeechSpan {
  const { rate, samples } = readPcm16(wav);
  const loud = loudWindows(samples, rate, thresholdDb);
  const first = loud.indexOf(true);
  const last = loud.lastIndexOf(true);
  if (first === -1) throw new Error('the WAV holds no speech');
  const windowMs = 10;
  const pauses: Array<[number, number]> = [];
  let quietFrom = -1;
  for (let i = first; i <= last; i++) {
    if (!loud[i] && quietFrom === -1) quietFrom = i;
    if (loud[i] && quietFrom !== -1) {
      if ((i - quietFrom) * windowMs > 200) pauses.push([quietFrom * windowMs, i * windowMs]);
      quietFrom = -1;
    }
  }
  return {
    durationMs: (samples.length / rate) * 1000,
    speechStartMs: first * windowMs,
    speechEndMs: Math.min((last + 1) * windowMs, (samples.length / rate) * 1000),
    pauses,
  };
}

/** Whether each 10 ms window's RMS is above `thresholdDb` dBFS. */
function loudWindows(samples: Int16Array, rate: number, thresholdDb: number): boolean[] {
  const window = Math.round(rate / 100);
  const threshold = 10 ** (thresholdDb / 20) * 32768;
  const loud: boolean[] = [];
  for (let start = 0; start < samples.length; start += window) {
    const end = Math.min(samples.length, start + window);
    let sum = 0;
    for (let i = start; i < end; i++) sum += samples[i]! * samples[i]!;
    loud.push(Math.sqrt(sum / (end - start)) > threshold);
  }
  return loud;
}

/**
 * Cuts the quiet lead-in and tail off a recording of speech (espeak-ng pads each utterance with
 * a few hundred ms of near-silence), so a pause put between two parts is as long as asked.
 */
export function trimSilence(samples: Int16Array, rate: number, thresholdDb = -50): Int16Array {
  const loud = loudWindows(samples, rate, thresholdDb);
  const first = loud.indexOf(true);
  if (first === -1) return new Int16Array(0);
  const window = Math.round(rate / 100);
  return samples.slice(first * window, Math.min(samples.length, (loud.lastIndexOf(true) + 1) * window));
}

export { encodePcm16, readPcm16 };

// ── Targets and the table ────────────────────────────────────────────────────────────────────

export interface Target {
  name: string;
  /** How the figure was summarised, e.g. "median of 5 turns". */
  basis: string;
  value: number;
  limit: number;
  unit: 'ms' | '×' | 'count';
  /** How the measured value is shown, when the bare number would not say enough. */
  shown?: string;
  /** Extra condition that fails the target on its own (e.g. a stale sentence played). */
  alsoRequired?: { ok: boolean; what: string };
}

export function verdict(target: Target): 'PASS' | 'MISSED' | 'NO DATA' {
  if (!Number.isFinite(target.value)) return 'NO DATA';
  if (target.alsoRequired && !target.alsoRequired.ok) return 'MISSED';
  return target.value <= target.limit ? 'PASS' : 'MISSED';
}

export function formatValue(value: number, unit: 'ms' | '×' | 'count'): string {
  if (!Number.isFinite(value)) return '—';
  return unit === '×' ? value.toFixed(2) : `${Math.round(value)}`;
}

/** A plain-text table with right-aligned numbers and left-aligned text. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = (text: string) => /^[-+]?[\d.,]+\s*%?$|^—$/.test(text);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (numeric(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
