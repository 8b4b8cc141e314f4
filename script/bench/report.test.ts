import { describe, expect, it, vi } from 'vitest';
import { verdict } from './analysis.ts';
import { printReport, targetsOf, type ReportInput, type TimedTurn } from './report.ts';

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
    neural: null,
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

describe("the default neural voice's first audio beside eSpeak's", () => {
  const NAME = "default neural voice's first audio within 150 ms of eSpeak's";
  const espeak = [
    turn('S1', { kind: 'fresh-start', firstAudioMs: 1500 }),
    ...[1180, 1200, 1210, 1190, 1205].map((firstAudioMs, i) => turn(`S${i + 2}`, { firstAudioMs })),
    turn('B1', { path: 'button', firstAudioMs: 900 }),
  ];
  const neural = (later: number[], fresh = 2600): TimedTurn[] => [
    turn('N1', { kind: 'fresh-start', firstAudioMs: fresh }),
    ...later.map((firstAudioMs, i) => turn(`N${i + 2}`, { firstAudioMs })),
  ];
  const withNeural = (run: ReportInput['neural']) => {
    const report = input(espeak);
    report.neural = run;
    return targetsOf(report).find((t) => t.name === NAME);
  };

  it('compares the medians of the later shortcut turns: the fresh starts and the button turns do not count', () => {
    const row = withNeural({ note: 'piper', turns: neural([1300, 1345, 1330, 1900, 1320]) })!;
    expect(row.value).toBe(1330 - 1200);
    expect(row.shown).toBe('+130 ms');
    expect(row.basis).toContain('1330 vs 1200 ms');
    expect(verdict(row)).toBe('PASS');
  });

  it('misses when the neural median is more than 150 ms later, and passes when it is earlier', () => {
    const late = withNeural({ note: 'piper', turns: neural([1360, 1351, 1400, 1340, 1380]) })!;
    expect(late.shown).toBe('+160 ms');
    expect(verdict(late)).toBe('MISSED');
    const early = withNeural({ note: 'piper', turns: neural([1100, 1150, 1120, 1130, 1140]) })!;
    expect(early.shown).toBe('-70 ms');
    expect(verdict(early)).toBe('PASS');
  });

  it('says why it was not measured, and leaves the eSpeak rows as they are', () => {
    const why = '/home/x/.cache/aitalk/voice-packages/piper/en_US-joe-medium.onnx is missing: run npm run setup:voices';
    const report = input(espeak);
    report.neural = { note: 'piper', turns: [], error: why };
    const row = targetsOf(report).find((t) => t.name === NAME)!;
    expect(verdict(row)).toBe('NO DATA');
    expect(row.basis).toBe(`not measured: ${why}`);
    expect(verdict(targetsOf(report).find((t) => t.name.startsWith('second press → upload'))!)).toBe('PASS');
  });

  it('has no row when the neural turns were not asked for (--no-neural)', () => {
    expect(withNeural(null)).toBeUndefined();
  });
});

describe('the report when the companion transcribed (npm run bench -- --stt)', () => {
  const printed = (report: ReportInput): string => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    try {
      printReport(report);
      return info.mock.calls.map((call) => String(call[0])).join('\n');
    } finally {
      info.mockRestore();
    }
  };

  it('names the companion as the transcription server and does not claim the stand-in’s latency or fixed transcript', () => {
    const report = input([turn('S2')]);
    report.transcriptionNote = 'the companion (Whisper, tiny.en)';
    const text = printed(report);
    expect(text).toContain('transcr.  the companion (Whisper, tiny.en)');
    expect(text).toContain('stand-in  chat only: first token 400 ms');
    expect(text).not.toContain('stand-in  transcription 400 ms');
    expect(text).not.toContain('fixed transcript');
  });

  it('keeps the stand-in line as it was without --stt', () => {
    expect(printed(input([turn('S2')]))).toContain('stand-in  transcription 400 ms, first token 400 ms');
  });
});
