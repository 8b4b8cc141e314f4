import type { TranscriptionStreamConfig } from '@/core/messages';
import { normaliseUrl, type Settings } from '../settings/settings';
import { transcribesWithCompanion } from '../settings/this-computer';

/**
 * When the companion transcribes, a turn's audio is streamed to it while the learner speaks (issue 22,
 * offscreen/transcription-stream.ts); every other server gets the whole recording after the second press.
 */
export function transcriptionStreamFor(
  settings: Pick<Settings, 'transcriptionUrl' | 'companionUrl' | 'companionToken' | 'transcriptionPrompt'>,
): TranscriptionStreamConfig | undefined {
  if (!transcribesWithCompanion(settings)) return undefined;
  return {
    companionUrl: normaliseUrl(settings.companionUrl),
    token: settings.companionToken.trim(),
    prompt: settings.transcriptionPrompt.trim(),
  };
}
