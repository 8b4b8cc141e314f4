import { describe, expect, it } from 'vitest';
import {
  encodePcm16,
  gapsOf,
  lateSyntheses,
  median,
  readPcm16,
  speechSpan,
  staleStarts,
  trimSilence,
  verdict,
  type BenchSpeechEvent,
} from './analysis';

const RATE = 48_000;

function tone(ms: number, db = -20): Int16Array {
  const out = new Int16Array(Math.round((ms / 1000) * RATE));
  const amplitude = 10 ** (db / 20) * 32767 * Math.SQRT2;
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / RATE));
  return out;
}

const quiet = (ms: number): Int16Array => new Int16Array(Math.round((ms / 1000) * RATE));

function join(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Events for one sentence: decoded at `synth`, started at `start`, ended at `end`. */
function sentence(turnId: string, seq: number, synth: number, start: number, end: number): BenchSpeechEvent[] {
  return [
    { type: 'synthesized', turnId, seq, at: synth, ms: 50, receivedAt: synth + 1 },
    { type: 'started', turnId, seq, at: start, receivedAt: start + 1 },
    { type: 'ended', turnId, seq, at: end, receivedAt: end + 1 },
  ];
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, ignoring missing figures', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 7, 9])).toBe(8);
    expect(median([])).toBeNaN();
  });
});

describe('gaps between the teacher’s sentences', () => {
  it('counts no audible gap when the next sentence was decoded before the current one ended, even if its started timer fired late', () => {
    const events = [...sentence('t', 0, 100, 100, 3_000), ...sentence('t', 1, 400, 3_180, 6_000)];
    const gaps = gapsOf(events, 't');
    expect(gaps.audibleGapMs).toBe(0);
    expect(gaps.eventGapMs).toBe(180);
    expect(gaps.sentences).toBe(2);
  });

  it('measures silence from the end of one sentence to the decoding of a late next one', () => {
    const events = [
      ...sentence('t', 0, 100, 100, 3_000),
      ...sentence('t', 1, 400, 3_000, 5_000),
      ...sentence('t', 2, 5_320, 5_321, 7_000),
    ];
    const gaps = gapsOf(events, 't');
    expect(gaps.audibleGapMs).toBe(320);
    expect(gaps.worstAfterSeq).toBe(1);
  });

  it('ignores other turns and reports sentences that never played', () => {
    const events: BenchSpeechEvent[] = [
      ...sentence('t', 0, 100, 100, 3_000),
      ...sentence('other', 1, 9_000, 9_000, 12_000),
      { type: 'synthesized', turnId: 't', seq: 1, at: 200, ms: 80, receivedAt: 201 },
    ];
    const gaps = gapsOf(events, 't');
    expect(gaps.sentences).toBe(2);
    expect(gaps.audibleGapMs).toBe(0);
    expect(gaps.missing).toEqual([1]);
  });
});

describe('stale sentences after a barge-in', () => {
  const events: BenchSpeechEvent[] = [
    ...sentence('t', 0, 100, 100, 1_500),
    { type: 'started', turnId: 't', seq: 1, at: 1_500, receivedAt: 1_501 },
    { type: 'synthesized', turnId: 't', seq: 2, at: 2_100, ms: 90, receivedAt: 2_101 },
    { type: 'started', turnId: 't', seq: 2, at: 2_400, receivedAt: 2_401 },
    { type: 'started', turnId: 'next', seq: 0, at: 2_500, receivedAt: 2_501 },
  ];

  it('flags a sentence of the interrupted turn that started after it was silenced, and only that one', () => {
    const stale = staleStarts(events, 't', 2_000);
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({ seq: 2 });
    expect(staleStarts(events, 't', 3_000)).toHaveLength(0);
  });

  it('flags a synthesis of the interrupted turn that finished after the stop', () => {
    expect(lateSyntheses(events, 't', 2_000)).toHaveLength(1);
    expect(lateSyntheses(events, 't', 2_200)).toHaveLength(0);
  });
});

describe('speech in a WAV file', () => {
  it('finds where speech starts and ends and the pause inside it', () => {
    const wav = encodePcm16(join(quiet(500), tone(300), quiet(400), tone(300), quiet(1_000)), RATE);
    const span = speechSpan(wav);
    expect(span.durationMs).toBeCloseTo(2_500, 0);
    expect(span.speechStartMs).toBe(500);
    expect(span.speechEndMs).toBe(1_500);
    expect(span.pauses).toEqual([[800, 1_200]]);
  });

  it('does not count sound quieter than the threshold as speech', () => {
    const wav = encodePcm16(join(tone(200), quiet(100), tone(300, -70)), RATE);
    expect(speechSpan(wav).speechEndMs).toBe(200);
  });

  it('trims the quiet padding around an utterance so a pause between parts keeps its length', () => {
    const padded = join(quiet(150), tone(300, -60), tone(500), quiet(200));
    const trimmed = trimSilence(padded, RATE);
    expect(trimmed.length).toBe(Math.round(0.5 * RATE));
    expect(trimSilence(quiet(300), RATE)).toHaveLength(0);
  });

  it('reads back the 16-bit mono WAV it writes', () => {
    const samples = join(tone(20), quiet(10));
    const read = readPcm16(encodePcm16(samples, RATE));
    expect(read.rate).toBe(RATE);
    expect([...read.samples]).toEqual([...samples]);
    expect(() => readPcm16(Buffer.from('not a wav file at all'))).toThrow(/not a RIFF\/WAVE file/);
  });
});

describe('verdicts against the targets', () => {
  it('passes at the limit, misses above it or when a required condition fails, and says when nothing was measured', () => {
    expect(verdict({ name: 'x', basis: '', value: 150, limit: 150, unit: 'ms' })).toBe('PASS');
    expect(verdict({ name: 'x', basis: '', value: 151, limit: 150, unit: 'ms' })).toBe('MISSED');
    expect(
      verdict({
        name: 'x',
        basis: '',
        value: 2,
        limit: 100,
        unit: 'ms',
        alsoRequired: { ok: false, what: 'no stale sentence' },
      }),
    ).toBe('MISSED');
    expect(verdict({ name: 'x', basis: '', value: Number.NaN, limit: 1, unit: '×' })).toBe('NO DATA');
  });
});
