/**
 * npm run bench:vad — hands-free turn detection in a noisy room (issue 10).
 *
 * Lays the committed learner samples (script/samples/) over background noise made here with sox
 * and espeak-ng — pink noise, and babble of six espeak-ng voices reading different texts — at
 * 20 and 10 dB SNR, and runs each detector over the same scenes as the offscreen recorder would
 * feed it. Prints, per detector and noise: false turn starts in 20 s of noise alone, sentences
 * heard, sentences cut early (the pause inside learner-pause.wav included), and the end-of-turn
 * decision's delay after the speech ends. Deterministic: the same tools give the same numbers.
 *
 * The microphone's own noise suppression (on in the product) is not applied here, so these are
 * the harder case: what reaches the detector when suppression leaves the noise in.
 *
 *   npm run bench:vad -- [--json FILE]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { VAD_DEFAULTS } from '../offscreen/voice-activity.ts';
import { median, table } from './bench/analysis.ts';
import { LEAD_MS, NOISE_ONLY_MS, TAIL_MS, compare, makeScenes, type Row } from './bench/vad-compare.ts';
import { energyDetector, sileroDetector, type Detector } from './bench/vad-detectors.ts';

const fmt = (value: number): string => (Number.isFinite(value) ? String(Math.round(value)) : '—');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.info('Usage: npm run bench:vad -- [--json FILE]');
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-bench-vad-'));
  try {
    const scenes = await makeScenes(dir);
    const { speech } = scenes;
    const detectors: Detector[] = [
      energyDetector(`energy (end ${VAD_DEFAULTS.endSilenceMs} ms)`, {}),
      await sileroDetector(`silero v5 (end ${VAD_DEFAULTS.endSilenceMs} ms)`, {
        model: 'v5',
        positiveSpeechThreshold: 0.5,
        negativeSpeechThreshold: 0.35,
        minSpeechMs: 250,
        redemptionMs: VAD_DEFAULTS.endSilenceMs,
      }),
    ];
    const rows: Row[] = [];
    for (const detector of detectors) {
      const started = performance.now();
      rows.push(...(await compare(detector, scenes)));
      console.info(`${detector.name}: ran in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }

    const out: string[] = [];
    out.push('');
    out.push('═══ AITalk hands-free detectors in noise (issue 10) ═══');
    out.push(
      `samples   ${speech.map((s) => `${s.name} (speech ${fmt(s.start)}–${fmt(s.end)} ms${s.pauses.length ? `, pause ${s.pauses.map(([a, b]) => `${fmt(b - a)} ms`).join(', ')}` : ''})`).join('; ')}`,
    );
    out.push(
      `scenes    ${LEAD_MS} ms of noise, the sample, ${TAIL_MS} ms more noise; noise alone for ${NOISE_ONLY_MS / 1000} s at the same level; SNR = speech active level / noise RMS`,
    );
    out.push(
      'noise     pink (sox synth pinknoise), babble (six espeak-ng voices, mixed with sox); no noise suppression applied',
    );
    out.push('');
    out.push(
      table(
        [
          'detector',
          'noise',
          'false starts / 20 s noise',
          'heard',
          'false start before speech',
          'cut early',
          'end delay median',
          'end delay max',
        ],
        rows.map((row) => {
          const delays = row.sentences.map((s) => s.endDelayMs);
          const missing = delays.filter((d) => !Number.isFinite(d)).length;
          return [
            row.detector,
            row.condition,
            row.condition === 'quiet' ? '—' : String(row.falseStartsInNoise),
            `${row.sentences.filter((s) => s.heard).length}/${row.sentences.length}`,
            String(row.sentences.filter((s) => s.falseStart).length),
            row.sentences
              .filter((s) => s.cutEarly)
              .map((s) => s.sample.replace(/^learner-|\.wav$/g, ''))
              .join(', ') || '0',
            fmt(median(delays.filter(Number.isFinite))),
            missing ? `never ended on ${missing}` : fmt(Math.max(...delays)),
          ];
        }),
      ),
    );
    out.push(
      'end delay = end-of-turn decision − end of speech (last 10 ms window above −50 dBFS in the clean sample);',
    );
    out.push('the recorder then needs one more timeslice flush (≤ ~50 ms) before the turn is saved.');
    console.info(out.join('\n'));
    if (values.json) {
      await writeFile(values.json, JSON.stringify(rows, null, 2));
      console.info(`measurements written to ${values.json}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:vad could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
