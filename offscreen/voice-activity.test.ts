import { describe, expect, it } from 'vitest';
import {
  VAD_DEFAULTS,
  VoiceActivityDetector,
  type VoiceActivityDetectorOptions,
  type VoiceActivityEvent,
} from './voice-activity';

const RATE = 48_000;
// The offscreen document's ScriptProcessorNode delivers 1024-sample frames (21.3 ms at 48 kHz).
const FRAME = 1024;
const FRAME_MS = (FRAME / RATE) * 1000;

type Segment =
  | { speech: number; level?: number }
  | { noise: number; level: number }
  | { zeros: number }
  | { click: number; level: number }
  | { babble: number; level: number };

/** A deterministic PRNG, so every run feeds the detector exactly the same "room". */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Renders segments into samples: room noise under everything (`roomNoise` RMS), voiced speech as a
 * 160 Hz tone whose loudness rises and falls at a syllable rate of 4 Hz, like a voice does.
 */
function render(segments: Segment[], roomNoise = 0.001, seed = 1): Float32Array {
  const random = mulberry32(seed);
  const total = segments.reduce((sum, s) => sum + Math.round(((Object.values(s)[0] as number) / 1000) * RATE), 0);
  const out = new Float32Array(total);
  let i = 0;
  const white = (rms: number): number => (random() * 2 - 1) * rms * Math.sqrt(3);
  for (const segment of segments) {
    const length = Math.round(((Object.values(segment)[0] as number) / 1000) * RATE);
    for (let n = 0; n < length; n++, i++) {
      const t = n / RATE;
      if ('zeros' in segment) {
        out[i] = 0;
      } else if ('speech' in segment) {
        const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
        out[i] = (segment.level ?? 0.1) * Math.SQRT2 * envelope * Math.sin(2 * Math.PI * 160 * t) + white(roomNoise);
      } else if ('noise' in segment) {
        out[i] = white(segment.level);
      } else if ('babble' in segment) {
        // Several talkers far off: noise whose loudness wanders with their syllables, ±6 dB.
        const wander =
          1 +
          0.5 * Math.sin(2 * Math.PI * 3.1 * t) * Math.sin(2 * Math.PI * 0.7 * t + 1) +
          0.3 * Math.sin(2 * Math.PI * 5.3 * t);
        out[i] = white(segment.level * wander) + white(roomNoise);
      } else {
        out[i] = white(segment.level) + white(roomNoise);
      }
    }
  }
  return out;
}

function run(samples: Float32Array, options: Partial<VoiceActivityDetectorOptions> = {}) {
  const detector = new VoiceActivityDetector({ endSilenceMs: 700, idleTimeoutMs: 10_000, ...options });
  const events: VoiceActivityEvent[] = [];
  for (let start = 0; start + FRAME <= samples.length; start += FRAME) {
    const event = detector.process(samples.subarray(start, start + FRAME), RATE);
    if (event) events.push(event);
  }
  return { detector, events };
}

function only<T extends VoiceActivityEvent['type']>(events: VoiceActivityEvent[], type: T) {
  return events.filter((e): e is Extract<VoiceActivityEvent, { type: T }> => e.type === type);
}

describe('VoiceActivityDetector', () => {
  it('ends the turn about 700 ms after the learner goes quiet', () => {
    const { events, detector } = run(
      render([{ noise: 500, level: 0.001 }, { speech: 1500 }, { noise: 2000, level: 0.001 }]),
    );
    const end = only(events, 'end-of-turn');
    expect(end).toHaveLength(1);
    const speechEndMs = 2000;
    expect(end[0]!.reason).toBe('silence');
    expect(end[0]!.atMs - speechEndMs).toBeGreaterThanOrEqual(700);
    expect(end[0]!.atMs - speechEndMs).toBeLessThan(700 + 3 * FRAME_MS);
    expect(detector.speechDetected).toBe(true);
  });

  it('announces speech within about 100 ms of its start, dated at its start', () => {
    const { events } = run(render([{ noise: 600, level: 0.001 }, { speech: 1000 }, { noise: 1000, level: 0.001 }]));
    const start = only(events, 'speech-start');
    expect(start).toHaveLength(1);
    expect(Math.abs(start[0]!.atMs - 600)).toBeLessThan(2 * FRAME_MS);
    expect(events[0]).toBe(start[0]);
  });

  it.each([300, 400, 550])('keeps a sentence with a %i ms pause inside it whole', (pauseMs) => {
    const { events } = run(
      render([
        { noise: 300, level: 0.001 },
        { speech: 1200 },
        { noise: pauseMs, level: 0.001 },
        { speech: 900 },
        { noise: 1500, level: 0.001 },
      ]),
    );
    const end = only(events, 'end-of-turn');
    expect(end).toHaveLength(1);
    const lastSpeechEnd = 300 + 1200 + pauseMs + 900;
    expect(end[0]!.atMs).toBeGreaterThanOrEqual(lastSpeechEnd + 700);
    expect(only(events, 'speech-start')).toHaveLength(1);
  });

  it('does end the turn at a pause longer than endSilenceMs', () => {
    const { events } = run(
      render([{ speech: 800 }, { noise: 1000, level: 0.001 }, { speech: 800 }, { noise: 1000, level: 0.001 }]),
    );
    const end = only(events, 'end-of-turn');
    expect(end).toHaveLength(1);
    expect(end[0]!.atMs).toBeLessThan(1600);
  });

  it('honours a shorter or longer endSilenceMs', () => {
    const quick = run(render([{ speech: 1000 }, { noise: 2000, level: 0.001 }]), { endSilenceMs: 400 });
    const slow = run(render([{ speech: 1000 }, { noise: 2000, level: 0.001 }]), { endSilenceMs: 1200 });
    expect(only(quick.events, 'end-of-turn')[0]!.atMs).toBeLessThan(1000 + 400 + 3 * FRAME_MS);
    expect(only(slow.events, 'end-of-turn')[0]!.atMs).toBeGreaterThanOrEqual(1000 + 1200);
  });

  it('ignores a click or a knock shorter than a syllable', () => {
    const { events, detector } = run(
      render([
        { noise: 1000, level: 0.001 },
        { click: 40, level: 0.3 },
        { noise: 3000, level: 0.001 },
      ]),
      { idleTimeoutMs: 3000 },
    );
    expect(only(events, 'speech-start')).toHaveLength(0);
    expect(only(events, 'idle-timeout')).toHaveLength(1);
    expect(detector.speechDetected).toBe(false);
  });

  it('gives up listening after idleTimeoutMs when nobody speaks', () => {
    const { events, detector } = run(render([{ noise: 5000, level: 0.002 }]), { idleTimeoutMs: 4000 });
    expect(events).toHaveLength(1);
    const idle = only(events, 'idle-timeout');
    expect(idle[0]!.atMs).toBeGreaterThanOrEqual(4000);
    expect(idle[0]!.atMs).toBeLessThan(4000 + FRAME_MS + 1);
    expect(detector.speechDetected).toBe(false);
    expect(detector.finished).toBe(true);
  });

  it('counts the idle timeout from the last restart: listening through the teacher’s reply does not use it up', () => {
    const samples = render([{ noise: 9000, level: 0.002 }]);
    const detector = new VoiceActivityDetector({ endSilenceMs: 700, idleTimeoutMs: 4000 });
    const events: VoiceActivityEvent[] = [];
    for (let start = 0; start + FRAME <= samples.length; start += FRAME) {
      // The teacher's reply ends 3 s in; the panel asks to listen again.
      if (start === Math.round(((3000 / 1000) * RATE) / FRAME) * FRAME) detector.restartIdleTimer();
      const event = detector.process(samples.subarray(start, start + FRAME), RATE);
      if (event) events.push(event);
    }
    const idle = only(events, 'idle-timeout');
    expect(idle).toHaveLength(1);
    expect(idle[0]!.atMs).toBeGreaterThanOrEqual(7000 - FRAME_MS);
    expect(idle[0]!.atMs).toBeLessThan(7000 + FRAME_MS + 1);
  });

  it('does not time out while the learner is still talking, however long the turn', () => {
    const { events } = run(render([{ speech: 6000 }, { noise: 1000, level: 0.001 }]), { idleTimeoutMs: 2000 });
    expect(only(events, 'idle-timeout')).toHaveLength(0);
    expect(only(events, 'end-of-turn')).toHaveLength(1);
  });

  it('adapts to a noisy room: steady noise louder than quiet speech does not start a turn, speech over it does', () => {
    // -34 dBFS of steady noise is above the absolute minimum for speech; only the adaptive floor
    // tells it apart from a voice.
    const noisy = 0.02;
    const { events } = run(
      render(
        [
          { noise: 2000, level: noisy },
          { speech: 1500, level: 0.2 },
          { noise: 2000, level: noisy },
        ],
        noisy,
      ),
      { idleTimeoutMs: 20_000 },
    );
    expect(only(events, 'speech-start')).toHaveLength(1);
    expect(only(events, 'speech-start')[0]!.atMs).toBeGreaterThan(1900);
    const end = only(events, 'end-of-turn');
    expect(end).toHaveLength(1);
    expect(end[0]!.atMs).toBeGreaterThanOrEqual(3500 + 700);
    expect(end[0]!.atMs).toBeLessThan(3500 + 700 + 3 * FRAME_MS);
  });

  it('follows a room that slowly gets noisier without hearing speech in it', () => {
    const segments: Segment[] = [];
    for (let step = 0; step < 30; step++) segments.push({ noise: 200, level: 0.001 * 1.12 ** step });
    const { events } = run(render(segments), { idleTimeoutMs: 60_000 });
    expect(only(events, 'speech-start')).toHaveLength(0);
  });

  it('ignores the digital silence of a microphone still starting up, and hears speech that follows', () => {
    const { events } = run(
      render([{ zeros: 300 }, { noise: 200, level: 0.001 }, { speech: 1000 }, { noise: 1000, level: 0.001 }]),
    );
    expect(only(events, 'speech-start')[0]!.atMs).toBeGreaterThan(450);
    expect(only(events, 'end-of-turn')).toHaveLength(1);
  });

  it('hears a learner who starts speaking in the very first frame', () => {
    const { events } = run(render([{ speech: 1500 }, { noise: 1500, level: 0.001 }]));
    expect(only(events, 'speech-start')).toHaveLength(1);
    const end = only(events, 'end-of-turn')[0]!;
    expect(end.atMs).toBeGreaterThanOrEqual(1500 + 700);
    expect(end.atMs).toBeLessThan(1500 + 700 + 3 * FRAME_MS);
  });

  it('hears quiet speech in a quiet room', () => {
    // -37 dBFS speech: a soft voice some distance from a laptop microphone.
    const { events } = run(
      render(
        [
          { noise: 500, level: 0.0005 },
          { speech: 1200, level: 0.014 },
          { noise: 1200, level: 0.0005 },
        ],
        0.0005,
      ),
    );
    expect(only(events, 'speech-start')).toHaveLength(1);
    expect(only(events, 'end-of-turn')).toHaveLength(1);
  });

  it('does not let a stray click in the trailing silence keep the turn open', () => {
    const { events } = run(
      render([
        { speech: 1000 },
        { noise: 400, level: 0.001 },
        { click: 15, level: 0.3 },
        { noise: 1500, level: 0.001 },
      ]),
    );
    const end = only(events, 'end-of-turn')[0]!;
    expect(end.atMs).toBeLessThan(1000 + 700 + 3 * FRAME_MS);
  });

  it('ends a turn that never goes quiet at maxTurnMs', () => {
    const { events } = run(render([{ speech: 1000 }, { noise: 5000, level: 0.2 }]), { maxTurnMs: 3000 });
    const end = only(events, 'end-of-turn');
    expect(end).toHaveLength(1);
    expect(end[0]!.reason).toBe('max-length');
  });

  it('ends a hands-free turn within 0.6 s of quiet by default, and keeps a 400 ms pause inside the sentence', () => {
    const detector = new VoiceActivityDetector({ endSilenceMs: VAD_DEFAULTS.endSilenceMs, idleTimeoutMs: 10_000 });
    const samples = render([
      { noise: 400, level: 0.001 },
      { speech: 1200 },
      { noise: 400, level: 0.001 },
      { speech: 900 },
      { noise: 1500, level: 0.001 },
    ]);
    const events: VoiceActivityEvent[] = [];
    for (let start = 0; start + FRAME <= samples.length; start += FRAME) {
      const event = detector.process(samples.subarray(start, start + FRAME), RATE);
      if (event) events.push(event);
    }
    const end = only(events, 'end-of-turn');
    expect(end).toHaveLength(1);
    const speechEnd = 400 + 1200 + 400 + 900;
    // The target is ≤ 0.7 s from quiet to the turn's end; the recorder's last flush comes after this.
    expect(VAD_DEFAULTS.endSilenceMs).toBeLessThanOrEqual(600);
    expect(end[0]!.atMs - speechEnd).toBeGreaterThanOrEqual(VAD_DEFAULTS.endSilenceMs);
    expect(end[0]!.atMs - speechEnd).toBeLessThan(VAD_DEFAULTS.endSilenceMs + 3 * FRAME_MS);
  });

  it('hears no turn in 20 s of a busy room (other voices far off), however it wanders', () => {
    const { events } = run(render([{ babble: 20_000, level: 0.01 }]), { idleTimeoutMs: 30_000 });
    expect(only(events, 'speech-start')).toHaveLength(0);
  });

  it('ends the learner’s turn in a busy room although the room never goes quiet', () => {
    // The learner about 14 dB above the room's voices, as at a desk in a café.
    const { events } = run(
      render([
        { babble: 1500, level: 0.012 },
        { speech: 1500, level: 0.1 },
        { babble: 3000, level: 0.012 },
      ]),
    );
    expect(only(events, 'speech-start')).toHaveLength(1);
    const end = only(events, 'end-of-turn');
    expect(end).toHaveLength(1);
    expect(end[0]!.reason).toBe('silence');
    expect(end[0]!.atMs - 3000).toBeLessThan(700 + 3 * FRAME_MS);
  });

  it('reports nothing more once it has decided', () => {
    const { events } = run(
      render([{ speech: 800 }, { noise: 1200, level: 0.001 }, { speech: 800 }, { noise: 1200, level: 0.001 }]),
    );
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'end-of-turn']);
  });
});
