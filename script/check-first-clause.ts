/**
 * npm run check:first-clause — does a reply's first clause, spoken on its own, sound like part of
 * its sentence? Nobody can listen on a build machine, so this measures what a listener would notice,
 * with the companion's own embedded voice (eSpeak NG) and sox:
 *   - the pause at the clause boundary: spoken whole vs clause and rest as the offscreen player plays
 *     them (CLAUSE_PAUSE_MS apart), each clip's own silence included;
 *   - the total length of the sentence both ways;
 *   - the pitch at the end of the clause (a comma keeps the voice up; a full stop would drop it).
 * Writes the WAVs to a folder so they can be listened to: npm run check:first-clause -- [OUT_DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ESPEAK_VOICE, EspeakEngine } from '../companion-server/src/engines/espeak.ts';
import { wavHeader } from '../companion-server/src/audio.ts';
import { table } from './bench/analysis.ts';
import { run } from './lib/run.ts';
import { LONG_OPENING } from './openai-standin/teacher.ts';
import { CLAUSE_PAUSE_MS, splitSentences } from '../common/sentence-splitter.ts';

const SENTENCES = [
  LONG_OPENING,
  'When you talk about something that happened yesterday, you need to use the past tense of the verb.',
  'Here is a more natural way to say it: I went to the park with my friend last Saturday.',
  'Your pronunciation of that word is much clearer now — keep practising it a little every day.',
  'I really like the way you described your weekend; it sounds like you had a lovely time.',
];

const QUIET_DB = -45;
const WINDOW_MS = 10;

async function speak(engine: EspeakEngine, text: string): Promise<{ rate: number; pcm: Int16Array }> {
  const audio = await engine.synthesize(text, DEFAULT_ESPEAK_VOICE, { speed: 1 }, new AbortController().signal);
  const chunks: Buffer[] = [];
  for await (const chunk of audio.chunks) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  return { rate: audio.sampleRate, pcm: new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1) };
}

/** Which 10 ms windows are louder than QUIET_DB. */
function loudness(pcm: Int16Array, rate: number): boolean[] {
  const window = Math.round((rate * WINDOW_MS) / 1000);
  const threshold = 10 ** (QUIET_DB / 20) * 32768;
  const out: boolean[] = [];
  for (let start = 0; start + window <= pcm.length; start += window) {
    let sum = 0;
    for (let i = start; i < start + window; i++) sum += pcm[i]! * pcm[i]!;
    out.push(Math.sqrt(sum / window) > threshold);
  }
  return out;
}

/** The longest quiet stretch strictly inside the speech (the comma's pause): its length and where it starts. */
function longestInnerPause(pcm: Int16Array, rate: number): { ms: number; startSample: number } {
  const loud = loudness(pcm, rate);
  const first = loud.indexOf(true);
  const last = loud.lastIndexOf(true);
  let longest = 0;
  let longestStart = first;
  let run = 0;
  for (let i = first; i <= last; i++) {
    run = loud[i] ? 0 : run + 1;
    if (run > longest) {
      longest = run;
      longestStart = i - run + 1;
    }
  }
  return { ms: longest * WINDOW_MS, startSample: longestStart * Math.round((rate * WINDOW_MS) / 1000) };
}

const leadingQuietMs = (pcm: Int16Array, rate: number): number =>
  Math.max(0, loudness(pcm, rate).indexOf(true)) * WINDOW_MS;
const trailingQuietMs = (pcm: Int16Array, rate: number): number => {
  const loud = loudness(pcm, rate);
  return (loud.length - 1 - loud.lastIndexOf(true)) * WINDOW_MS;
};

/** Median F0 (autocorrelation, 70–350 Hz) of the last `ms` of voiced audio: where the voice ends the clause. */
function finalPitchHz(pcm: Int16Array, rate: number, ms = 200): number {
  const loud = loudness(pcm, rate);
  const end = (loud.lastIndexOf(true) + 1) * Math.round((rate * WINDOW_MS) / 1000);
  const frame = Math.round(rate * 0.04);
  const pitches: number[] = [];
  for (
    let start = Math.max(0, end - Math.round((rate * ms) / 1000));
    start + frame <= end;
    start += Math.round(frame / 2)
  ) {
    let best = 0;
    let bestLag = 0;
    let energy = 0;
    for (let i = 0; i < frame; i++) energy += pcm[start + i]! * pcm[start + i]!;
    for (let lag = Math.floor(rate / 350); lag <= Math.ceil(rate / 70); lag++) {
      let sum = 0;
      for (let i = 0; i + lag < frame; i++) sum += pcm[start + i]! * pcm[start + i + lag]!;
      if (sum > best) {
        best = sum;
        bestLag = lag;
      }
    }
    // Only clearly periodic frames are voiced; the rest (consonants, silence) have no pitch.
    if (bestLag > 0 && best > 0.5 * energy) pitches.push(rate / bestLag);
  }
  pitches.sort((a, b) => a - b);
  return pitches.length ? pitches[Math.floor(pitches.length / 2)]! : Number.NaN;
}

async function soxSeconds(file: string): Promise<number> {
  const { stdout } = await run('soxi', ['-D', file]);
  return Number(stdout.toString().trim());
}

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(os.tmpdir(), 'aitalk-first-clause'));
  await mkdir(out, { recursive: true });
  const engine = new EspeakEngine({ maxQueue: 8, timeoutMs: 60_000, threads: 1 });
  await engine.ready;
  const rows: string[][] = [];
  try {
    for (const [index, sentence] of SENTENCES.entries()) {
      const [clause, ...rest] = splitSentences(sentence);
      const restText = rest.join(' ');
      if (!clause || !restText) {
        rows.push([String(index + 1), 'not split', '', '', '', '', '', '', '']);
        continue;
      }
      const whole = await speak(engine, sentence);
      const first = await speak(engine, clause);
      const second = await speak(engine, restText);
      // As the offscreen player plays them: the clause, the pause it leaves after a clause, the rest.
      const pause = Math.round((first.rate * CLAUSE_PAUSE_MS) / 1000);
      const joined = new Int16Array(first.pcm.length + pause + second.pcm.length);
      joined.set(first.pcm);
      joined.set(second.pcm, first.pcm.length + pause);
      const files = {
        whole: path.join(out, `${index + 1}-whole.wav`),
        split: path.join(out, `${index + 1}-split.wav`),
      };
      await writeFile(
        files.whole,
        Buffer.concat([
          wavHeader(whole.rate, whole.pcm.byteLength),
          Buffer.from(whole.pcm.buffer, whole.pcm.byteOffset, whole.pcm.byteLength),
        ]),
      );
      await writeFile(
        files.split,
        Buffer.concat([wavHeader(first.rate, joined.byteLength), Buffer.from(joined.buffer)]),
      );
      const clipQuietMs = trailingQuietMs(first.pcm, first.rate) + leadingQuietMs(second.pcm, second.rate);
      // The pitch where the clause ends inside the whole sentence: up to its comma pause.
      const commaPause = longestInnerPause(whole.pcm, whole.rate);
      const wholeClauseEnd = whole.pcm.subarray(0, commaPause.startSample);
      rows.push([
        String(index + 1),
        `${clause.split(' ').length}+${restText.split(' ').length} words`,
        String(commaPause.ms),
        String(clipQuietMs),
        String(clipQuietMs + CLAUSE_PAUSE_MS),
        (await soxSeconds(files.whole)).toFixed(2),
        (await soxSeconds(files.split)).toFixed(2),
        finalPitchHz(wholeClauseEnd, whole.rate).toFixed(0),
        finalPitchHz(first.pcm, first.rate).toFixed(0),
      ]);
    }
  } finally {
    await engine.close();
  }
  console.info(`eSpeak NG (the companion's embedded voice, en-us, speed 1); WAVs in ${out}`);
  console.info(
    table(
      [
        '#',
        'clause + rest',
        'comma pause, whole (ms)',
        'quiet in the clips at the cut (ms)',
        'pause as played (ms)',
        'length whole (s, sox)',
        'length as played (s, sox)',
        'pitch at clause end, whole (Hz)',
        'split (Hz)',
      ],
      rows,
    ),
  );
  console.info(
    `Quiet = 10 ms windows under −45 dBFS. As played = the clause and the rest synthesised apart, ${CLAUSE_PAUSE_MS} ms apart (the player's clause pause).`,
  );
  for (const [index, sentence] of SENTENCES.entries())
    console.info(
      `${index + 1}. ${splitSentences(sentence)
        .slice(0, 2)
        .map((s) => `"${s}"`)
        .join(' | ')}`,
    );
}

main().catch((error: unknown) => {
  console.error(`check:first-clause failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
