import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../lib/run.ts';
import { wordErrors } from '../voices/wer.ts';
import { RecogniserSetupError, startRecogniser, type Recogniser } from './recogniser.ts';

const SENTENCE = 'Could you tell me a little more about your family?';

describe('the speech recogniser (Whisper tiny.en, npm run setup:recogniser)', () => {
  let dir: string;
  let recogniser: Recogniser;
  let wav: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aitalk-recogniser-test-'));
    wav = path.join(dir, 'family.wav');
    // Text on stdin, never in argv (script/lib/run.ts).
    await run('espeak-ng', ['-v', 'en-us', '-w', wav], { stdin: SENTENCE });
    recogniser = await startRecogniser();
  });
  afterAll(async () => {
    await recogniser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes down what was said, with word times inside the audio', async () => {
    const transcript = await recogniser.transcribe(wav);
    expect(wordErrors(SENTENCE, transcript.text).errors).toBe(0);
    expect(transcript.words.map((w) => w.word.replace(/[^a-z]/gi, '').toLowerCase())).toEqual(
      SENTENCE.replace(/[^a-z ]/gi, '')
        .toLowerCase()
        .split(' '),
    );
    for (const [i, word] of transcript.words.entries()) {
      expect(word.end).toBeGreaterThanOrEqual(word.start);
      expect(word.end).toBeLessThanOrEqual(transcript.audioSeconds + 0.05);
      if (i > 0) expect(word.start).toBeGreaterThanOrEqual(transcript.words[i - 1]!.start);
    }
    expect(transcript.audioSeconds).toBeGreaterThan(1.5);
    expect(transcript.seconds).toBeGreaterThan(0);
  });

  it('reads WAV bytes as it reads a file, and tells silence from speech', async () => {
    const fromBytes = await recogniser.transcribe(await readFile(wav));
    expect(fromBytes.text).toBe((await recogniser.transcribe(wav)).text);
    const silence = path.join(dir, 'silence.wav');
    await run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', silence, 'trim', '0', '2']);
    expect(wordErrors(SENTENCE, (await recogniser.transcribe(silence)).text).rate).toBeGreaterThan(0.8);
  });

  it('answers a file it cannot read with an error and goes on with the next', async () => {
    const broken = path.join(dir, 'broken.wav');
    await writeFile(broken, 'not audio at all');
    await expect(recogniser.transcribe(broken)).rejects.toThrow(/speech recogniser failed/);
    expect(wordErrors(SENTENCE, (await recogniser.transcribe(wav)).text).errors).toBe(0);
  });

  it('says to run npm run setup:recogniser when its environment is missing', async () => {
    const previous = process.env.AITALK_RECOGNISER_VENV;
    process.env.AITALK_RECOGNISER_VENV = path.join(dir, 'no-venv-here');
    try {
      const failure = startRecogniser();
      await expect(failure).rejects.toBeInstanceOf(RecogniserSetupError);
      await expect(failure).rejects.toThrow(/run npm run setup:recogniser/);
    } finally {
      if (previous === undefined) delete process.env.AITALK_RECOGNISER_VENV;
      else process.env.AITALK_RECOGNISER_VENV = previous;
    }
  });
});
