import { signal } from '@preact/signals';
import type { CompanionTarget, SpeechEvent } from '@/core/messages';
import { splitSentences } from '@/common/sentence-splitter';
import { errorText } from '../../panel/banner';
import { BrowserVoice } from '../talk/browser-voice';
import { companionTarget, voiceSpeed, type ReplySpeaker } from '../talk/reply-speaker';
import type { SampleVoice, TurnEvent } from '../talk/turn-machine';
import type { SettingsSync } from '../settings/settings-sync';
import { serversLeaving } from '../settings/this-computer';

/** "Listen slowly": three quarters of the usual pace. */
const SLOW = 0.75;

/**
 * Read-outs: a text read in the teacher's voice outside any turn — a reply again ("Listen again",
 * "Listen slowly"), a page selection ("Listen first"), a meaning looked up. The turn machine
 * decides when one starts and ends (features/talk/read-out-transitions.ts); this speaks it through
 * the companion under a speech turn id of its own, or with the browser's voice.
 */
export interface ReadOutDeps {
  speaker: ReplySpeaker;
  settings: SettingsSync;
  dispatch(event: TurnEvent): void;
}

/** How the latest voice sample (Settings › Voice) went; Settings shows it beside the voice. */
export interface VoiceSampleState {
  id: string;
  status: 'playing' | 'done' | 'stopped' | 'failed';
  /** Why it failed (the companion's words or the voice player's). */
  detail?: string;
  /** The companion could not be reached at all. */
  unreachable?: boolean;
}

interface ReadOutRun {
  id: string;
  slow: boolean;
  sample: boolean;
  sentences: string[];
  /** Sentences (by seq) that began to sound through the companion. */
  heard: Set<number>;
  /** The companion failed from this sentence on; the browser's voice reads them. */
  failedFrom: number;
  browser: BrowserVoice | null;
  unlisten(): void;
}

export type ReadOut = ReturnType<typeof createReadOut>;

export function createReadOut({ speaker, settings, dispatch }: ReadOutDeps) {
  let current: ReadOutRun | null = null;
  const sample = signal<VoiceSampleState | null>(null);

  function sampleEnded(run: ReadOutRun, ended: Omit<VoiceSampleState, 'id'>): void {
    if (run.sample && sample.value?.id === run.id) sample.value = { id: run.id, ...ended };
  }

  /** A sample fails visibly in Settings; the machine ends it without handing it to the browser's voice. */
  function sampleFailed(run: ReadOutRun, detail: string, unreachable: boolean): void {
    current = null;
    run.unlisten();
    sampleEnded(run, { status: 'failed', detail, unreachable });
    dispatch({ type: 'read-out-failed', id: run.id, unreachable, message: detail });
  }

  async function start(id: string, text: string, slow: boolean, voice?: SampleVoice): Promise<void> {
    const run: ReadOutRun = {
      id,
      slow,
      sample: voice !== undefined,
      sentences: splitSentences(text),
      heard: new Set(),
      failedFrom: 0,
      browser: null,
      unlisten: () => undefined,
    };
    current = run;
    run.unlisten = speaker.listen(id, (event) => {
      if (current === run) heard(run, event);
    });
    const companion: CompanionTarget = voice
      ? { ...voice, speed: voiceSpeed(settings, slow ? SLOW : 1) }
      : companionTarget(settings, slow ? SLOW : 1);
    if (voice) sample.value = { id, status: 'playing' };
    let queued = 0;
    try {
      for (const sentence of run.sentences) {
        if (current !== run) return;
        await speaker.speak(id, sentence, companion);
        queued++;
      }
      await speaker.end(id);
    } catch (error) {
      // The voice player could not be reached: as when the companion fails, the machine hands
      // the read-out to the browser's voice and the banner says why.
      console.warn('AITalk: the voice player could not read the text', error);
      if (current !== run) return;
      if (run.sample) return sampleFailed(run, errorText(error), false);
      run.failedFrom = queued;
      dispatch({ type: 'read-out-failed', id: run.id, unreachable: false, message: errorText(error) });
    }
  }

  function heard(run: ReadOutRun, event: SpeechEvent): void {
    switch (event.type) {
      case 'started':
        run.heard.add(event.seq);
        return;
      case 'failed':
        if (run.sample) return sampleFailed(run, event.message, event.companionUnreachable);
        // Every sentence from the failed one on; those before it still play through the companion.
        run.failedFrom = event.seq;
        dispatch({
          type: 'read-out-failed',
          id: run.id,
          unreachable: event.companionUnreachable,
          message: event.message,
        });
        return;
      case 'finished':
        if (run.browser || event.status === 'failed') return;
        finish(run);
        return;
      default:
        return;
    }
  }

  /** The browser's voice reads what the companion could not (the machine asked for it). */
  function inBrowser(id: string): void {
    const run = current;
    if (!run || run.id !== id || run.browser) return;
    run.browser = new BrowserVoice(
      () => voiceSpeed(settings, run.slow ? SLOW : 1),
      () => {
        if (current === run) finish(run);
      },
      () => serversLeaving(settings.settings.value).length === 0,
    );
    run.browser.say(
      run.sentences
        .map((text, seq) => ({ seq, text }))
        .filter(({ seq }) => seq >= run.failedFrom && !run.heard.has(seq)),
    );
  }

  function finish(run: ReadOutRun): void {
    current = null;
    run.unlisten();
    sampleEnded(run, { status: 'done' });
    dispatch({ type: 'read-out-finished', id: run.id });
  }

  /** Silences a read-out now (the learner pressed Talk, or another one replaces it). */
  async function stop(id: string): Promise<void> {
    const run = current;
    if (!run || run.id !== id) return;
    current = null;
    run.unlisten();
    sampleEnded(run, { status: 'stopped' });
    if (run.browser) run.browser.cancel();
    else await speaker.stop().catch(() => undefined);
  }

  return { start, stop, inBrowser, sample };
}
