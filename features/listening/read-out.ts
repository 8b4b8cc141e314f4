import { sendMessage } from '@/core/messages';
import type { PanelLink } from '@/core/panel-link';
import { SentenceStream } from '@/common/sentence-splitter';
import { BrowserVoice } from '../talk/browser-voice';
import type { SettingsSync } from '../settings/settings-sync';

/**
 * Reads a text in the teacher's voice, at the chosen speed, outside any turn ("Listen first", a
 * meaning looked up). Its sentences go straight to the offscreen voice under a turn id of their
 * own, whose events the turn ignores (the messaging library allows one speech-event listener per
 * page, and that is the turn's); the browser's voice reads it if the companion cannot.
 */
export function createReadOut(link: PanelLink, settings: SettingsSync) {
  const ref = { panelId: link.panelId };
  return {
    async readOut(text: string): Promise<void> {
      const id = crypto.randomUUID();
      const splitter = new SentenceStream();
      const sentences = [...splitter.push(text), ...splitter.flush()];
      const { companionUrl, companionToken, voice, speed } = settings.settings.value;
      const companion = { url: companionUrl, token: companionToken, voice, speed };
      try {
        for (const sentence of sentences) {
          await link.call(() => sendMessage('offscreen:speak', { ...ref, turnId: id, text: sentence, companion }));
        }
        await link.call(() => sendMessage('offscreen:end-speech', { turnId: id }));
      } catch (error) {
        console.warn('AITalk: the voice player could not read the text; the browser reads it', error);
        new BrowserVoice(
          () => settings.settings.value.speed,
          () => undefined,
        ).say(sentences.map((sentence, seq) => ({ seq, text: sentence })));
      }
    },
  };
}
