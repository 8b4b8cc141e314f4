import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { FrameProcessor, Message, type FrameProcessorOptions } from '@ricky0123/vad-web';
import { Silero } from '@ricky0123/vad-web/dist/models/silero.js';
import { Resampler } from '@ricky0123/vad-web/dist/resampler.js';
import {
  VAD_DEFAULTS,
  VoiceActivityDetector,
  rmsOf,
  type VoiceActivityDetectorOptions,
} from '../../offscreen/voice-activity.ts';
import type { TurnDecision } from './vad-scenes.ts';

/**
 * The two hands-free detectors, run over a whole scene as the offscreen recorder would feed them:
 * the product's energy detector on 1024-sample frames at 48 kHz (the recorder's ScriptProcessor
 * frames), and Silero VAD through @ricky0123/vad-web's own frame processor, resampler and model
 * class on onnxruntime-web's WebAssembly backend — the code MicVAD runs in a page. After each
 * end of turn the detector listens again at once, as hands-free does.
 */

export interface Detector {
  name: string;
  run(samples: Float32Array, rate: number): Promise<TurnDecision[]>;
}

const ENERGY_FRAME = 1024;

export function energyDetector(name: string, options: Partial<VoiceActivityDetectorOptions>): Detector {
  return {
    name,
    run(samples, rate) {
      const decisions: TurnDecision[] = [];
      const fresh = () =>
        new VoiceActivityDetector({ endSilenceMs: VAD_DEFAULTS.endSilenceMs, ...options, idleTimeoutMs: Infinity });
      let detector = fresh();
      let offsetMs = 0;
      let elapsedMs = 0;
      for (let start = 0; start + ENERGY_FRAME <= samples.length; start += ENERGY_FRAME) {
        const frameMs = (ENERGY_FRAME / rate) * 1000;
        elapsedMs += frameMs;
        const event = detector.processLevel(rmsOf(samples.subarray(start, start + ENERGY_FRAME)), frameMs);
        // A start is announced on the frame that confirms it, so that is when the learner is heard.
        if (event?.type === 'speech-start') decisions.push({ type: 'start', atMs: elapsedMs });
        if (event?.type === 'end-of-turn') {
          decisions.push({ type: 'end', atMs: offsetMs + event.atMs });
          detector = fresh();
          offsetMs = elapsedMs;
        }
      }
      return Promise.resolve(decisions);
    },
  };
}

export interface SileroSettings
  extends Pick<
    FrameProcessorOptions,
    'positiveSpeechThreshold' | 'negativeSpeechThreshold' | 'minSpeechMs' | 'redemptionMs'
  > {
  model: 'v5' | 'legacy';
}

/** The model files ship inside the package; nothing is fetched. */
async function modelBytes(file: string): Promise<ArrayBuffer> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@ricky0123/vad-web'));
  const bytes = await readFile(path.join(dist, file));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export async function sileroDetector(name: string, settings: SileroSettings): Promise<Detector> {
  if (settings.model !== 'v5') throw new Error('only the v5 model is benched (512-sample frames, like MicVAD)');
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const model = await Silero.new(ort, () => modelBytes('silero_vad_v5.onnx'));
  const frameSamples = 512;
  return {
    name,
    async run(samples, rate) {
      const processor = new FrameProcessor(
        model.process,
        model.reset_state,
        { ...settings, preSpeechPadMs: 0, submitUserSpeechOnPause: false },
        frameSamples / 16,
      );
      processor.resume();
      const resampler = new Resampler({
        nativeSampleRate: rate,
        targetSampleRate: 16_000,
        targetFrameSize: frameSamples,
      });
      const decisions: TurnDecision[] = [];
      let frames = 0;
      for (const frame of resampler.process(samples)) {
        frames++;
        const atMs = (frames * frameSamples) / 16;
        await processor.process(frame, (event) => {
          if (event.msg === Message.SpeechRealStart) decisions.push({ type: 'start', atMs });
          if (event.msg === Message.SpeechEnd) decisions.push({ type: 'end', atMs });
        });
      }
      return decisions;
    },
  };
}
