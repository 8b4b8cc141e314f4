import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedWhisperFolder } from '../companion-server/test/whisper-model.ts';
import { startStandin, type Standin } from '../script/openai-standin/server.ts';
import { readDatabase } from './harness';
import {
  SENTENCES,
  openingHeard,
  talk,
  talkButton,
  teacherChats,
  transcriptions,
  usePanel,
  waitForPhase,
} from './fixtures';

/** Lower case, no punctuation: Whisper may put a comma where eSpeak only paused. */
function words(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Issue 22's fully local setup, end to end: Settings › This computer in the built extension, the real companion
 * transcribing with Whisper tiny.en (the folder `npm run setup:stt` installs) and speaking, and the OpenAI stand-in
 * serving only chat on loopback, as Ollama would.
 */
describe('This computer: the companion transcribes, a local chat server answers, and nothing leaves', () => {
  const t = usePanel({ companion: { stt: true, sttModel: shippedWhisperFolder() } });
  /** Plays Ollama: chat only, on 127.0.0.1. Ollama takes any key; the panel sends 'no-key' when none is typed. */
  let ollama: Standin;
  /** The uploads the companion's Whisper was given, as the companion's own engine saw them. */
  const companionHeard: number[] = [];

  beforeAll(async () => {
    ollama = await startStandin({
      latencyProfile: 'fast',
      latency: { replyWords: 30 },
      serves: 'chat',
      apiKey: 'no-key',
    });
    const stt = t.stage.companion.stt;
    if (!stt) throw new Error('the companion was started without --stt');
    const transcribe = stt.transcribe.bind(stt);
    stt.transcribe = (request, ...rest) => {
      companionHeard.push(request.audio.length);
      return transcribe(request, ...rest);
    };
    await stt.ready;
    await t.page.locator('.banner').waitFor();
  });

  afterAll(async () => {
    await ollama?.close();
  });

  it('one choice in Settings puts transcription and the voice on the companion, and the panel says nothing leaves', async () => {
    await t.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await t.page.getByLabel('Companion URL').fill(t.stage.companion.url);
    await t.page.getByLabel('This computer').selectOption({ label: 'Everything here, chat with Ollama' });
    expect(await t.page.getByLabel('API base URL').inputValue()).toBe('http://localhost:11434/v1');
    // This machine's Ollama stand-in listens on another port than Ollama's own.
    await t.page.getByLabel('API base URL').fill(ollama.url);
    await t.page.locator('#locality', { hasText: 'Nothing leaves this computer' }).waitFor();
    await t.page.getByRole('button', { name: 'Save' }).click();
    await t.page.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' });

    await openingHeard(t.page);
    expect(await t.page.getByRole('note', { name: /Nothing leaves this computer/ }).textContent()).toBe(
      'Nothing leaves this computer',
    );
  });

  it('a spoken turn is transcribed by the companion and answered by the local chat server', async () => {
    await t.stage.say('park');
    let secondPressAt = 0;
    await talk(t.page, async () => {
      await talkButton(t.page).click();
      secondPressAt = performance.now();
    });
    const shown = t.page.locator('.message-user[data-status=done]');
    await shown.waitFor({ timeout: 20_000 });
    const shownAfterMs = performance.now() - secondPressAt;
    expect(words((await shown.locator('.message-text').textContent()) ?? '')).toBe(words(SENTENCES.park));

    const reply = t.page.locator('.message-assistant').nth(1);
    await reply.locator('text=went').waitFor({ timeout: 20_000 });
    await waitForPhase(t.page, 'idle', 40_000);

    // The companion's Whisper heard the recording (streamed: once per pass while it arrived); the chat server got
    // none of it, only the words to answer.
    expect(companionHeard.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...companionHeard)).toBeGreaterThan(10_000);
    expect(transcriptions(ollama)).toEqual([]);
    const chats = teacherChats(ollama);
    expect(chats.map((r) => `${r.endpoint} ${r.status}`)).toEqual(['chat 200', 'chat 200']);
    expect(words(JSON.stringify(chats[1]?.body))).toContain(words(SENTENCES.park));
    // The stage's all-serving stand-in was never pointed at.
    expect(t.stage.standin.requests).toEqual([]);
    expect(await t.page.getByRole('note', { name: /Nothing leaves this computer/ }).count()).toBe(1);

    const user = (await readDatabase(t.page)).messages.find((m) => m.role === 'user');
    const { stopPressedAt, transcriptAt, uploadSentAt } = user?.timings ?? {};
    // Streamed while the learner spoke (offscreen/transcription-stream.ts): nothing was uploaded after the press.
    expect(uploadSentAt).toBeUndefined();
    expect(transcriptAt).toBeGreaterThan(stopPressedAt ?? Infinity);
    console.info(
      `this-computer: second press → transcript ${Math.round((transcriptAt ?? NaN) - (stopPressedAt ?? NaN))} ms ` +
        `(panel timings), shown ${Math.round(shownAfterMs)} ms after the click returned; ` +
        `${companionHeard.length} Whisper passes`,
    );
  });
});
