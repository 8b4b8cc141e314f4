import os from 'node:os';
import { formatValue, maximum, median, table, verdict, type GapReport, type Target } from './analysis.ts';
import { lanesTable, LANES_HEADERS, type LanesOfTurn } from './corrections.ts';
import type { ChatStreamTiming } from './node-pipeline.ts';

/**
 * What `npm run bench` measured, and the report it prints: per-turn tables, barge-in, hands-free,
 * the noise check, and every row of the targets (issue 4's and issue 10's) with its verdict.
 */

export interface TimedTurn {
  /** S = through the shortcut, B = the Talk button, L = shortcut, reply opening with a long sentence. */
  label: string;
  path: 'shortcut' | 'button';
  kind: 'fresh-start' | 'later' | 'long-opening';
  turnId: string;
  /** ms after the second press (the shortcut's dispatch, or the panel's click time), from IndexedDB. */
  steps: Record<string, number>;
  firstAudioMs: number;
  /** Second press → the transcription request leaves (uploadSentAt). */
  uploadLeavesMs: number;
  /** Shortcut only: from the press in the service worker to the panel acting on it (stopPressedAt). */
  pressReachesPanelMs: number;
  transcriptionServerMs: number;
  node: ChatStreamTiming;
  firstSentenceSynthMs: number;
  wholeReplySynthMs: number;
  sequentialMs: number;
  ratio: number;
  criticalPathMs: number;
  overheadMs: number;
  gaps: GapReport;
  sameReply: boolean;
  /** The text of the first speech request the extension sent after the press. */
  firstSpoken: string;
  /** The corrections lane beside it (issue 8). */
  lanes: LanesOfTurn;
}

export interface BargeIn {
  turn: number;
  turnId: string;
  pressAfterFirstAudioMs: number;
  stopMs: number;
  heardSentences: number;
  status: string;
  staleStarts: number;
  lateSyntheses: number;
  chatAborted: boolean | null;
}

export interface HandsFree {
  speechEndInFileMs: number;
  pausesInFile: Array<[number, number]>;
  recordingMs: number;
  quietToTurnEndMs: number;
  quietToDecisionMs: number;
  transcript: string;
  wholeSentenceKept: boolean;
}

/** The product's detector over the noise scenes of `npm run bench:vad`. */
export interface NoiseCheck {
  falseStartsInNoise: number;
  falseStartsBeforeSpeech: number;
  cutEarly: number;
  notEnded: number;
  conditions: string[];
}

export interface ReportInput {
  machineLines: string[];
  loads: { start: string; end: string };
  latency: {
    transcriptionMs: number;
    firstTokenMs: number;
    tokensPerSecond: number;
    replyWords: number;
    correctionsMs?: number;
  };
  voiceNote: string;
  /** Set when the companion transcribed (--stt): the stand-in's transcription latency did not apply. */
  transcriptionNote?: string;
  engineIsEspeak: boolean;
  turns: TimedTurn[];
  barges: BargeIn[];
  handsFree: HandsFree | null;
  noise: NoiseCheck | null;
  /** The shortcut turns again with the default neural voice; null when not asked for (--no-neural). */
  neural: NeuralRun | null;
  elapsedS: number;
}

/** The same turn plan spoken by a companion with the default neural voice (Piper), in the same run. */
export interface NeuralRun {
  note: string;
  turns: TimedTurn[];
  /** Why it could not be measured (then there are no turns), e.g. the voice package is missing. */
  error?: string;
}

export interface FirstAudioComparison {
  /** Later shortcut turns (not the fresh start) of each voice. */
  espeakTurns: number;
  neuralTurns: number;
  espeakMs: number;
  neuralMs: number;
  /** Neural median − eSpeak median: what the default neural voice adds to the learner's wait. */
  differenceMs: number;
}

/** Second press → first audio, median of the later shortcut turns of each voice. */
export function compareFirstAudio(espeak: readonly TimedTurn[], neural: readonly TimedTurn[]): FirstAudioComparison {
  const later = (turns: readonly TimedTurn[]) => turns.filter((t) => t.path === 'shortcut' && t.kind === 'later');
  const espeakMs = median(later(espeak).map((t) => t.firstAudioMs));
  const neuralMs = median(later(neural).map((t) => t.firstAudioMs));
  return {
    espeakTurns: later(espeak).length,
    neuralTurns: later(neural).length,
    espeakMs,
    neuralMs,
    differenceMs: neuralMs - espeakMs,
  };
}

const signedMs = (value: number): string | undefined =>
  Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${Math.round(value)} ms` : undefined;

export const STEP_NAMES: Array<[string, string]> = [
  ['stopPressedAt', 'panel acts'],
  ['recordingStoppedAt', 'rec stopped'],
  ['recordingSavedAt', 'saved'],
  ['uploadSentAt', 'upload sent'],
  ['transcriptAt', 'transcript'],
  ['chatSentAt', 'chat sent'],
  ['firstTokenAt', 'first token'],
  ['firstSentenceAt', 'first sentence'],
  ['firstAudioAt', 'first audio'],
];

const ms = (value: number): string => formatValue(value, 'ms');
const words = (text: string, max = 9): string => {
  const all = text.split(/\s+/).filter(Boolean);
  return all.length > max ? `${all.slice(0, max).join(' ')} … (${all.length} words)` : text;
};

export function targetsOf(input: ReportInput): Target[] {
  const { turns, barges, handsFree, noise } = input;
  const later = turns.filter((t) => t.path === 'shortcut' && t.kind === 'later');
  const fresh = turns.find((t) => t.kind === 'fresh-start');
  const long = turns.filter((t) => t.kind === 'long-opening');
  const clauseFirst = long.filter(
    (t) => t.firstSpoken === t.node.firstSentence && t.node.firstSentence.length < t.node.wholeFirstSentence.length,
  );
  const freshPenalty = fresh ? fresh.firstAudioMs - median(later.map((t) => t.firstAudioMs)) : Number.NaN;
  const basis = `median of ${later.length} shortcut turns`;
  const noiseOk = noise !== null && noise.falseStartsInNoise === 0 && noise.falseStartsBeforeSpeech === 0;
  const targets: Target[] = [
    {
      name: "extension's own overhead on the way to first audio ≤ 100 ms",
      basis,
      value: median(later.map((t) => t.overheadMs)),
      limit: 100,
      unit: 'ms',
    },
    {
      name: 'second press → upload leaves ≤ 40 ms',
      basis,
      value: median(later.map((t) => t.uploadLeavesMs)),
      limit: 40,
      unit: 'ms',
    },
    {
      name: 'first turn after a fresh companion start ≤ +150 ms vs later',
      basis: fresh ? `turn ${fresh.label} − median of later` : 'not measured (companion not restartable here)',
      value: freshPenalty,
      limit: 150,
      unit: 'ms',
      shown: signedMs(freshPenalty),
    },
    {
      name: 'long first sentence: its first clause is heard first',
      basis: `${long.length} shortcut turns; first text sent to the voice`,
      value: long.length ? long.length - clauseFirst.length : Number.NaN,
      limit: 0,
      unit: 'count',
      shown: `${clauseFirst.length}/${long.length} turns`,
    },
    {
      name: 'time to first audio ≤ 0.33 × sequential (100-word replies)',
      basis,
      value: median(later.map((t) => t.ratio)),
      limit: 0.33,
      unit: '×',
    },
    {
      name: 'hands-free end of turn ≤ 700 ms after quiet',
      basis: 'one turn in the browser; noise: bench:vad scenes',
      value: handsFree?.quietToTurnEndMs ?? Number.NaN,
      limit: 700,
      unit: 'ms',
      alsoRequired: {
        ok: (handsFree?.wholeSentenceKept ?? false) && noiseOk && (noise?.cutEarly ?? 1) === 0,
        what: `whole sentence kept: ${handsFree?.wholeSentenceKept ? 'yes' : 'NO'}; false turns in noise: ${noise ? noise.falseStartsInNoise + noise.falseStartsBeforeSpeech : '?'}; cut in noise: ${noise?.cutEarly ?? '?'}`,
      },
    },
    {
      name: 'no gap over 250 ms between sentences',
      basis: `largest over ${turns.length} turns (schedule)`,
      value: maximum(turns.map((t) => t.gaps.audibleGapMs)),
      limit: 250,
      unit: 'ms',
    },
    {
      name: 'barge-in silences within 100 ms',
      basis: `largest of ${barges.length} barge-ins`,
      value: maximum(barges.map((b) => b.stopMs)),
      limit: 100,
      unit: 'ms',
      alsoRequired: { ok: barges.every((b) => b.staleStarts === 0), what: 'no stale sentence started' },
    },
  ];
  if (input.neural) {
    const compared = compareFirstAudio(turns, input.neural.turns);
    targets.push({
      name: "default neural voice's first audio within 150 ms of eSpeak's",
      basis: input.neural.error
        ? `not measured: ${input.neural.error}`
        : `medians of ${compared.neuralTurns} and ${compared.espeakTurns} shortcut turns: ${ms(compared.neuralMs)} vs ${ms(compared.espeakMs)} ms`,
      value: input.neural.error ? Number.NaN : compared.differenceMs,
      limit: 150,
      unit: 'ms',
      shown: signedMs(compared.differenceMs),
    });
  }
  return targets;
}

function printNeural(line: (text?: string) => void, espeak: readonly TimedTurn[], neural: NeuralRun): void {
  line('');
  line(`Default neural voice: ${neural.note}`);
  if (neural.error) {
    line(`  NOT MEASURED: ${neural.error}`);
    return;
  }
  line(
    '  the same shortcut turns after the eSpeak ones (same stand-in, same fixed transcript; N1 follows a fresh start):',
  );
  line(
    table(
      [
        'turn',
        '1st audio',
        'upload leaves',
        'sequential',
        'critical path',
        'overhead',
        '1st synth',
        'max gap',
        'first words spoken',
      ],
      neural.turns.map((t) => [
        t.label,
        ms(t.firstAudioMs),
        ms(t.uploadLeavesMs),
        ms(t.sequentialMs),
        ms(t.criticalPathMs),
        ms(t.overheadMs),
        ms(t.firstSentenceSynthMs),
        ms(t.gaps.audibleGapMs),
        words(t.firstSpoken),
      ]),
    ),
  );
  const later = (turns: readonly TimedTurn[]) => turns.filter((t) => t.path === 'shortcut' && t.kind === 'later');
  const row = (name: string, group: TimedTurn[]): string[] => [
    name,
    String(group.length),
    ms(median(group.map((t) => t.firstAudioMs))),
    ms(median(group.map((t) => t.firstSentenceSynthMs))),
    ms(median(group.map((t) => t.criticalPathMs))),
    ms(median(group.map((t) => t.overheadMs))),
  ];
  line(
    table(
      ['median of the later shortcut turns', 'turns', '1st audio', '1st synth (Node)', 'critical path', 'overhead'],
      [row('eSpeak', later(espeak)), row('default neural voice', later(neural.turns))],
    ),
  );
  const compared = compareFirstAudio(espeak, neural.turns);
  line(
    `  first audio, neural − eSpeak: ${signedMs(compared.differenceMs) ?? '—'} (${ms(compared.neuralMs)} vs ${ms(compared.espeakMs)} ms; target ≤ +150 ms)`,
  );
}

export function printReport(input: ReportInput): Target[] {
  const { turns, barges, handsFree, noise, loads, latency: l } = input;
  const out: string[] = [];
  const line = (text = '') => out.push(text);
  line('');
  line('═══ AITalk turn-taking bench (issues 4 and 10) ═══');
  for (const text of input.machineLines) line(text);
  line(`load avg  ${loads.start} at start, ${loads.end} at end (1, 5, 15 min)`);
  const busiest = Math.max(Number(loads.start.split(' ')[0]), Number(loads.end.split(' ')[0]));
  if (busiest > os.cpus().length / 2) {
    line(
      `NOTE: the machine was busy with other work (load ${busiest.toFixed(2)} on ${os.cpus().length} cores): timings may be noisy; re-run to compare.`,
    );
  }
  if (input.transcriptionNote) {
    line(
      `stand-in  chat only: first token ${l.firstTokenMs} ms, ${l.tokensPerSecond} tokens/s, ~${l.replyWords}-word replies`,
    );
    line(`transcr.  ${input.transcriptionNote}`);
  } else {
    line(
      `stand-in  transcription ${l.transcriptionMs} ms, first token ${l.firstTokenMs} ms, ${l.tokensPerSecond} tokens/s, ~${l.replyWords}-word replies; fixed transcript on timed turns`,
    );
  }
  line(`voice     ${input.voiceNote}`);
  line(
    `run       ${turns.length} timed turns${input.neural?.turns.length ? ` (+${input.neural.turns.length} with the default neural voice)` : ''}, ${barges.length} barge-in turns, ${handsFree ? 1 : 0} hands-free turn, ${input.elapsedS.toFixed(0)} s`,
  );
  line(
    'turns     S = keyboard shortcut (the real commands.onCommand listener, dispatched in the service worker), B = Talk button,',
  );
  line(
    '          L = shortcut, reply opening with a long sentence; S1 is the first turn after a fresh companion start',
  );
  line('');
  line(
    'Per turn (ms after the second press; "sequential" = transcription + whole streamed reply + whole-reply synthesis, from Node):',
  );
  line(
    table(
      [
        'turn',
        '1st audio',
        'upload leaves',
        'press → panel',
        'sequential',
        'ratio',
        'critical path',
        'overhead',
        'max gap',
        'first words spoken',
      ],
      turns.map((t) => [
        t.label,
        ms(t.firstAudioMs),
        ms(t.uploadLeavesMs),
        t.path === 'shortcut' ? ms(t.pressReachesPanelMs) : '—',
        ms(t.sequentialMs),
        formatValue(t.ratio, '×'),
        ms(t.criticalPathMs),
        ms(t.overheadMs),
        ms(t.gaps.audibleGapMs),
        words(t.firstSpoken),
      ]),
    ),
  );
  const summary = (name: string, group: TimedTurn[]): string[] => [
    name,
    ms(median(group.map((t) => t.firstAudioMs))),
    ms(median(group.map((t) => t.uploadLeavesMs))),
    group[0]?.path === 'shortcut' ? ms(median(group.map((t) => t.pressReachesPanelMs))) : '—',
    ms(median(group.map((t) => t.sequentialMs))),
    formatValue(median(group.map((t) => t.ratio)), '×'),
    ms(median(group.map((t) => t.criticalPathMs))),
    ms(median(group.map((t) => t.overheadMs))),
    ms(maximum(group.map((t) => t.gaps.audibleGapMs))),
  ];
  const later = turns.filter((t) => t.path === 'shortcut' && t.kind === 'later');
  const button = turns.filter((t) => t.path === 'button');
  line(
    table(
      [
        'median of',
        '1st audio',
        'upload leaves',
        'press → panel',
        'sequential',
        'ratio',
        'critical path',
        'overhead',
        'max gap (max)',
      ],
      [summary(`shortcut (${later.length})`, later), summary(`button (${button.length})`, button)],
    ),
  );
  const long = turns.filter((t) => t.kind === 'long-opening');
  if (long.length) {
    line('');
    line("Long first sentence (L turns): Node's stream of the same request, ms after the request:");
    line(
      table(
        [
          'turn',
          'first clause complete',
          'whole first sentence complete',
          '1st audio (extension)',
          'first text sent to the voice',
        ],
        long.map((t) => [
          t.label,
          ms(t.node.firstSentenceMs),
          ms(t.node.wholeFirstSentenceMs),
          ms(t.firstAudioMs),
          `"${t.firstSpoken}"`,
        ]),
      ),
    );
    line(`  the whole first sentence: "${long[0]?.node.wholeFirstSentence ?? ''}"`);
  }
  line('');
  line(
    "Where the time goes (ms after the second press, from the turn's timings in IndexedDB; Node parts of the critical path):",
  );
  line(
    table(
      [
        'turn',
        ...STEP_NAMES.map(([, name]) => name),
        'STT server',
        'Node 1st sent.',
        '1st synth',
        'Node [DONE]',
        'whole synth',
      ],
      turns.map((t) => [
        t.label,
        ...STEP_NAMES.map(([key]) => ms(t.steps[key] ?? Number.NaN)),
        ms(t.transcriptionServerMs),
        ms(t.node.firstSentenceMs),
        ms(t.firstSentenceSynthMs),
        ms(t.node.doneMs),
        ms(t.wholeReplySynthMs),
      ]),
    ),
  );
  line('');
  line(
    `Corrections lane beside the spoken lane (ms after the second press; card = the learner turn's checkedAt in IndexedDB; stand-in corrections +${l.correctionsMs ?? 0} ms):`,
  );
  line(
    table(
      LANES_HEADERS,
      lanesTable(
        turns.map((t) => t.lanes),
        median,
        ms,
      ),
    ),
  );
  if (input.neural) printNeural(line, turns, input.neural);
  const everyTurn = [...turns, ...(input.neural?.turns ?? [])];
  const mismatched = everyTurn.filter((t) => !t.sameReply).map((t) => t.label);
  if (mismatched.length)
    line(
      `NOTE: on turn(s) ${mismatched.join(', ')} Node's stream of the same request did not give the extension's reply.`,
    );
  const missing = everyTurn.filter((t) => t.gaps.missing.length).map((t) => `${t.label}: ${t.gaps.missing.join(',')}`);
  if (missing.length) line(`NOTE: sentences synthesised but never reported started/ended — ${missing.join('; ')}`);
  line('');
  line('How the figures are derived:');
  line(
    "  second press = shortcut: the moment the service worker dispatched the command (its clock); button: the panel's",
  );
  line('                 click time (stopPressedAt). All clocks are performance.timeOrigin + now().');
  line(
    "  1st audio    = firstAudioAt − second press: the offscreen player's 'started' event of the first clip, when it is",
  );
  line("                 handed to the AudioContext; the output device's latency is not included.");
  line("  upload leaves = uploadSentAt − second press; press → panel = stopPressedAt − the shortcut's dispatch.");
  line('  overhead     = 1st audio − (STT server time + Node time to the first text the voice gets + its synthesis).');
  line(
    '  max gap      = from the AudioContext schedule: 0 when clip n+1 was decoded before n ended, else decoded(n+1) − ended(n).',
  );

  if (barges.length) {
    line('');
    line('Barge-in (Talk pressed 1–2 s after the first audio; stop = silencedAt − interruptedAt from IndexedDB):');
    line(
      table(
        [
          'turn',
          'pressed after 1st audio',
          'stop',
          'heard sentences',
          'status',
          'chat aborted',
          'stale started',
          'late synth',
        ],
        barges.map((b) => [
          String(b.turn),
          ms(b.pressAfterFirstAudioMs),
          ms(b.stopMs),
          String(b.heardSentences),
          b.status,
          b.chatAborted === null ? '?' : b.chatAborted ? 'yes' : 'no (complete)',
          String(b.staleStarts),
          String(b.lateSyntheses),
        ]),
      ),
    );
    const stale = barges.filter((b) => b.staleStarts > 0);
    line(
      stale.length
        ? `!!! VIOLATION: a sentence of an interrupted reply STARTED AFTER THE STOP on barge-in turn(s) ${stale.map((b) => b.turn).join(', ')} !!!`
        : 'No sentence of an interrupted reply started after the stop.',
    );
  }

  if (handsFree) {
    line('');
    line(
      'Hands-free turn (speech, a pause inside the sentence, more speech, 3 s of silence; the stand-in really recognises it):',
    );
    line(
      `  speech ends ${ms(handsFree.speechEndInFileMs)} ms into the mic file; pauses inside: ${handsFree.pausesInFile.map(([a, b]) => `${Math.round(b - a)} ms at ${Math.round(a)}`).join(', ') || 'none'}`,
    );
    line(
      `  recording durationMs (IndexedDB) ${ms(handsFree.recordingMs)} → quiet → turn end = ${ms(handsFree.quietToTurnEndMs)} ms`,
    );
    line(
      `  (of which the detector's decision came ${ms(handsFree.quietToDecisionMs)} ms after the quiet; the rest is the recorder flushing)`,
    );
    line(
      `  transcript: "${handsFree.transcript}" — ${handsFree.wholeSentenceKept ? 'the whole sentence was kept' : 'NOT the whole sentence'}`,
    );
  }
  if (noise) {
    line('');
    line(`Noise (the product's detector with its defaults over the bench:vad scenes: ${noise.conditions.join(', ')}):`);
    line(
      `  false turn starts in 20 s of noise alone: ${noise.falseStartsInNoise}; before the learner spoke: ${noise.falseStartsBeforeSpeech}; sentences cut early: ${noise.cutEarly}; turns never ended: ${noise.notEnded}`,
    );
  }

  const targets = targetsOf(input);
  line('');
  line("Targets (issue 10's table first; through the shortcut):");
  line(
    table(
      ['target', 'measured', 'basis', 'verdict'],
      targets.map((target) => [
        target.name,
        target.shown ?? `${formatValue(target.value, target.unit)}${target.unit === 'ms' ? ' ms' : ''}`,
        target.basis + (target.alsoRequired ? `; ${target.alsoRequired.what}` : ''),
        verdict(target),
      ]),
    ),
  );
  const missed = targets.filter((target) => verdict(target) !== 'PASS');
  line(missed.length ? `MISSED: ${missed.map((target) => target.name).join('; ')}` : 'All targets met.');
  if (!input.engineIsEspeak) line('(The gap target applies to the embedded voice.)');
  console.info(out.join('\n'));
  return targets;
}
