import { describe, expect, it } from 'vitest';
import { verdict } from './analysis.ts';
import { targetsOf, type ReportInput, type TimedTurn } from './report.ts';

const FIRST_CLAUSE = 'That is a really good start to your story about the weekend,';
const WHOLE = `${FIRST_CLAUSE} and I could follow almost everything that you told me about it.`;

function turn(label: string, overrides: Partial<TimedTurn> = {}): TimedTurn {
  return {
    label,
    path: 'shortcut',
    kind: 'later',
    turnId: label,
    steps: {},
    firstAudioMs: 1200,
    uploadLeavesMs: 30,
    pressReachesPanelMs: 2,
    transcriptionServerMs: 400,
    node: {
      firstSentenceMs: 700,
      firstSentence: 'Good.',
      wholeFirstSentenceMs: 700,
      wholeFirstSentence: 'Good.',
      doneMs: 3300,
      reply: 'Good.',
    },
    firstSentenceSynthMs: 50,
    wholeReplySynthMs: 400,
    sequentialMs: 4000,
    ratio: 0.3,
    criticalPathMs: 1150,
    overheadMs: 50,
    gaps: { sentences: 6, eventGapMs: 0, audibleGapMs: 0, worstAfterSeq: 0, missing: [] },
    sameReply: true,
    firstSpoken: 'Good.',
    lanes: { turn: label, firstAudioMs: 1200, cardMs: 2600, laneServerMs: 2300, laneRequests: 1 },
    ...overrides,
  };
}

const longTurn = (label: string, firstSpoken: string): TimedTurn =>
  turn(label, {
    kind: 'long-opening',
    firstSpoken,
    node: {
      firstSentenceMs: 780,
      firstSentence: FIRST_CLAUSE,
      wholeFirstSentenceMs: 1060,
      wholeFirstSentence: WHOLE,
      doneMs: 3400,
      reply: WHOLE,
    },
  });

function input(turns: TimedTurn[]): ReportInput {
  return {
    machineLines: [],
    loads: { start: '0 0 0', end: '0 0 0' },
    latency: { transcriptionMs: 400, firstTokenMs: 400, tokensPerSecond: 40, replyWords: 100 },
    voiceNote: 'espeak',
    engineIsEspeak: true,
    turns,
    barges: [],
    handsFree: {
      speechEndInFileMs: 4100,
      pausesInFile: [],
      recordingMs: 4750,
      quietToTurnEndMs: 650,
      quietToDecisionMs: 640,
      transcript: 'x',
      wholeSentenceKept: true,
    },
    noise: { falseStartsInNoise: 0, falseStartsBeforeSpeech: 0, cutEarly: 0, notEnded: 0, conditions: [] },
    elapsedS: 1,
  };
}

const row = (turns: TimedTurn[], start: string) => targetsOf(input(turns)).find((t) => t.name.startsWith(start))!;

describe("the bench's targets (issue 10)", () => {
  it('judges the shortcut turns only: the button and the fresh start do not count in the medians', () => {
    const turns = [
      turn('S1', { kind: 'fresh-start', firstAudioMs: 1500, overheadMs: 400, uploadLeavesMs: 90 }),
      ...['S2', 'S3', 'S4', 'S5', 'S6'].map((label) => turn(label)),
      turn('B1', { path: 'button', overheadMs: 500, uploadLeavesMs: 200 }),
    ];
    expect(verdict(row(turns, "extension's own overhead"))).toBe('PASS');
    expect(verdict(row(turns, 'second press → upload'))).toBe('PASS');
    const fresh = row(turns, 'first turn after a fresh');
    expect(fresh.value).toBe(300);
    expect(verdict(fresh)).toBe('MISSED');
  });

  it('passes the long-first-sentence row only when the first text sent to the voice was the first clause', () => {
    expect(
      verdict(row([turn('S2'), longTurn('L1', FIRST_CLAUSE), longTurn('L2', FIRST_CLAUSE)], 'long first sentence')),
    ).toBe('PASS');
    const missed = row([turn('S2'), longTurn('L1', FIRST_CLAUSE), longTurn('L2', WHOLE)], 'long first sentence');
    expect(verdict(missed)).toBe('MISSED');
    expect(missed.shown).toBe('1/2 turns');
  });

  it('fails hands-free on a false turn in noise even when the end of turn is quick', () => {
    const noisy = input([turn('S2')]);
    noisy.noise = { falseStartsInNoise: 1, falseStartsBeforeSpeech: 0, cutEarly: 0, notEnded: 0, conditions: [] };
    const handsFree = targetsOf(noisy).find((t) => t.name.startsWith('hands-free'))!;
    expect(verdict(handsFree)).toBe('MISSED');
    expect(verdict(targetsOf(input([turn('S2')])).find((t) => t.name.startsWith('hands-free'))!)).toBe('PASS');
  });
});
