import { describe, expect, it } from 'vitest';
import { InputMonitor, MAX_RECORDING_MS, type InputEvent } from './input-monitor';
import { FakeMicrophone } from '../core/testing/fakes';

/** A monitor fed by a stand-in microphone, as the recorder feeds it from the real one. */
function listen(handsFree: boolean, vad = { endSilenceMs: 700, idleTimeoutMs: 3000 }) {
  const events: InputEvent[] = [];
  const monitor = new InputMonitor({ handsFree, vad }, (event) => events.push(event));
  const mic = new FakeMicrophone();
  void mic.tap((samples, sampleRate) => monitor.frame(samples, sampleRate));
  const types = () => events.map((event) => event.type).filter((type) => type !== 'level');
  return { monitor, mic, events, types };
}

describe('what a recording hears', () => {
  it('reports the input level about ten times a second', () => {
    const { mic, events } = listen(false);
    mic.play(1000, 0.2);
    const levels = events.filter((event) => event.type === 'level');
    expect(levels.length).toBeGreaterThanOrEqual(9);
    expect(levels.length).toBeLessThanOrEqual(11);
    for (const event of levels) if (event.type === 'level') expect(event.level).toBeCloseTo(0.2, 2);
  });

  it('keeps the loudest level and whether anyone spoke, to tell a silent recording from speech', () => {
    const silent = listen(false);
    silent.mic.play(1500, 0);
    expect(silent.monitor.peakLevel).toBe(0);
    expect(silent.monitor.speechDetected).toBe(false);
    const spoken = listen(false);
    spoken.mic.play(500, 0.1);
    expect(spoken.monitor.peakLevel).toBeGreaterThan(0.09);
    expect(spoken.monitor.speechDetected).toBe(true);
  });

  it('push-to-talk: announces nothing and never ends the turn on silence — the learner decides', () => {
    const { mic, types } = listen(false, { endSilenceMs: 700, idleTimeoutMs: 10_000 });
    mic.play(600, 0.1);
    mic.play(20_000, 0.0005);
    expect(types()).toEqual([]);
  });

  it('hands-free: announces speech, then the end of the turn about 700 ms after the learner goes quiet', () => {
    const { mic, types } = listen(true);
    mic.play(300, 0.001);
    mic.play(1000, 0.1);
    expect(types()).toEqual(['speech-start']);
    mic.play(600, 0.001);
    expect(types()).toEqual(['speech-start']);
    mic.play(200, 0.001);
    expect(types()).toEqual(['speech-start', 'end-of-turn']);
  });

  it('hands-free: keeps listening through a 400 ms pause inside a sentence', () => {
    const { mic, types } = listen(true);
    mic.play(800, 0.1);
    mic.play(400, 0.001);
    mic.play(800, 0.1);
    mic.play(300, 0.001);
    expect(types()).toEqual(['speech-start']);
  });

  it('hands-free: says when nobody spoke for the idle timeout, counted again while the teacher speaks', () => {
    const { monitor, mic, types } = listen(true);
    mic.play(2000, 0.001);
    monitor.restartIdleTimer();
    mic.play(2000, 0.001);
    expect(types()).toEqual([]);
    mic.play(1100, 0.001);
    expect(types()).toEqual(['idle']);
  });

  it('says a recording nobody ended has reached its longest, in push-to-talk too', () => {
    const { mic, types } = listen(false);
    mic.play(1000, 0.1);
    mic.play(MAX_RECORDING_MS - 2000, 0.0005);
    expect(types()).toEqual([]);
    mic.play(1100, 0.0005);
    expect(types()).toContain('too-long');
  });
});
