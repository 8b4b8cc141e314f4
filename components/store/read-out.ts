import { SentenceStream } from '@/utils/sentence-splitter';
import type { PanelLink } from '@/utils/panel-link';
import { BrowserVoice } from './browser-voice';
import { createReplySpeaker } from './reply-speaker';
import type { SettingsSync } from './settings-sync';

/**
 * Reads a text in the teacher's voice, at the chosen speed, outside any turn ("Listen first", a
 * meaning looked up). It has its own speaker whose events nobody waits for, so a turn never
 * mistakes this speech for its reply; the browser's voice reads it if the companion cannot.
 */
export function createReadOut(link: PanelLink, settings: SettingsSync) {
  const speaker = createReplySpeaker(
    link,
    () => false,
    () => undefined,
  );
  return {
    async readOut(text: string): Promise<void> {
      const id = crypto.randomUUID();
      const splitter = new SentenceStream();
      const sentences = [...splitter.push(text), ...splitter.flush()];
      const { companionUrl, companionToken, voice, speed } = settings.settings.value;
      try {
        for (const sentence of sentences) {
          await speaker.speak(id, sentence, { url: companionUrl, token: companionToken, voice, speed });
        }
        await speaker.end(id);
      } catch (error) {
        console.warn('AITalk: the voice player could not read the text; the browser reads it', error);
        new BrowserVoice(
          () => settings.settings.value.speed,
          () => undefined,
        ).say(sentences.map((sentence, seq) => ({ seq, text: sentence })));
      }
    },
    dispose(): void {
      speaker.dispose();
    },
  };
}
