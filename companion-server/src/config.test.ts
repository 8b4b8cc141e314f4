import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers.ts';
import { ConfigError, parseConfig, type CompanionConfig } from './config.ts';

function run(args: string[], env: NodeJS.ProcessEnv = {}): { config: CompanionConfig; warnings: string[] } {
  const parsed = parseConfig(args, { HOME: '/home/learner', ...env });
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  return parsed;
}

describe('companion configuration', () => {
  it('defaults to the natural Piper voice, fetched into the voice store, on 127.0.0.1:8730', () => {
    const { config, warnings } = run([]);
    expect(config).toMatchObject({
      port: 8730,
      host: '127.0.0.1',
      engine: 'piper',
      model: 'en_US-joe-medium',
      voiceFile: undefined,
      voicesDir: '/home/learner/.cache/aitalk/voices',
      voiceMirror: undefined,
      maxChars: 4000,
      token: undefined,
      allowOrigins: [],
      cacheDir: '/home/learner/.cache/aitalk/companion',
    });
    expect(warnings).toEqual([]);
  });

  it('gives coqui its documented default model, expands short names, and takes Python and token from the environment', () => {
    expect(
      run(['--engine', 'coqui'], { AITALK_PYTHON: '/opt/venv/bin/python', AITALK_TOKEN: 'secret-token' }).config,
    ).toMatchObject({
      model: 'tts_models/en/ljspeech/tacotron2-DCA',
      python: '/opt/venv/bin/python',
      token: 'secret-token',
      device: 'cpu',
    });
    expect(run(['--engine', 'coqui', '--model', 'vctk', '--device', 'cuda']).config).toMatchObject({
      model: 'tts_models/en/vctk/vits',
      device: 'cuda',
    });
    expect(run(['--engine', 'coqui', '--model', 'xtts_v2'], { COQUI_TOS_AGREED: '1' }).config.model).toBe(
      'tts_models/multilingual/multi-dataset/xtts_v2',
    );
  });

  it('accepts extension IDs in either form and repeated', () => {
    const { config } = run([
      '--allow-origin',
      'ABCDEFGHIJKLMNOPabcdefghijklmnop',
      '--allow-origin',
      'moz-extension://0f0e8c1e-7a56/',
    ]);
    expect(config.allowOrigins).toEqual(['abcdefghijklmnopabcdefghijklmnop', '0f0e8c1e-7a56']);
  });

  it('warns when told to listen beyond the loopback interface', () => {
    expect(run(['--host', '0.0.0.0']).warnings).toEqual([expect.stringMatching(/not a loopback address.*--token/)]);
    expect(run(['--host', 'localhost']).warnings).toEqual([]);
  });

  it.each([
    [['--port', '70000'], /--port must be between 0 and 65535/],
    [['--max-chars', '0'], /--max-chars must be between 1/],
    [['--cache-max-mb', '-5'], /--cache-max-mb/],
    [['--engine', 'upstream', '--upstream-url', 'ftp://x'], /must be http/],
    [['--engine', 'coqui', '--model', 'xtts_v2'], /COQUI_TOS_AGREED=1/],
    [['--engine', 'espeak', '--model', 'tts_models/en/vctk/vits'], /does not apply to the espeak engine/],
    [['--model', 'jenny'], /--model does not apply to piper: pass --voice-file PATH/],
    [['--voice-file', '/nowhere/voice.onnx'], /--voice-file \/nowhere\/voice\.onnx does not exist: check the path/],
    [['--engine', 'coqui', '--voice-file', '/x.onnx'], /--voice-file is for --engine piper or kokoro, not coqui/],
    [['--voices-dir', ''], /--voices-dir must not be empty/],
    [['--token', 'short'], /at least 8 printable characters/],
    [['--allow-origin', 'https://example.com'], /extension ID/],
    [['extra'], /Unexpected argument/],
  ])('refuses %j with one line', (args, message) => {
    let error: unknown;
    try {
      parseConfig(args, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  describe('voices on disk', () => {
    let work: { dir: string; remove: () => Promise<void> };
    let piper: string;
    let kokoro: string;
    beforeAll(async () => {
      work = await tempDir('aitalk-config-voices-');
      piper = path.join(work.dir, 'piper', 'en_GB-alan-low.onnx');
      kokoro = path.join(work.dir, 'kokoro', 'kokoro-v1.0.int8.onnx');
      await mkdir(path.join(work.dir, 'kokoro', 'voices'), { recursive: true });
      await mkdir(path.dirname(piper), { recursive: true });
      await writeFile(piper, 'model');
      await writeFile(`${piper}.json`, '{}');
      await writeFile(kokoro, 'model');
      await writeFile(path.join(work.dir, 'alone.onnx'), 'model');
      await writeFile(path.join(work.dir, 'voice.bin'), 'model');
    });
    afterAll(async () => {
      await work.remove();
    });

    it('loads a Piper or Kokoro voice file, telling them apart by what lies beside them', () => {
      expect(run(['--voice-file', piper]).config).toMatchObject({
        engine: 'piper',
        voiceFile: piper,
        model: 'en_GB-alan-low',
      });
      expect(run([], { AITALK_VOICE_FILE: kokoro }).config).toMatchObject({ engine: 'kokoro', voiceFile: kokoro });
      expect(run(['--engine', 'kokoro', '--voice-file', kokoro]).config.engine).toBe('kokoro');
    });

    it('ignores AITALK_VOICE_FILE, with a warning, when --engine espeak is asked for', () => {
      const { config, warnings } = run(['--engine', 'espeak'], { AITALK_VOICE_FILE: piper });
      expect(config).toMatchObject({ engine: 'espeak', voiceFile: undefined });
      expect(warnings).toEqual(['AITALK_VOICE_FILE is ignored by the espeak engine']);
    });

    it('takes --voices-dir, XDG_CACHE_HOME and AITALK_VOICE_MIRROR', () => {
      expect(run(['--voices-dir', work.dir]).config.voicesDir).toBe(work.dir);
      expect(run([], { XDG_CACHE_HOME: '/xdg' }).config.voicesDir).toBe('/xdg/aitalk/voices');
      expect(run([], { AITALK_VOICE_MIRROR: 'http://127.0.0.1:9/' }).config.voiceMirror).toBe('http://127.0.0.1:9');
    });

    it.each([
      [() => ['--voice-file', path.join(work.dir, 'voice.bin')], /must be an \.onnx voice \(Piper or Kokoro\)/],
      [() => ['--voice-file', path.join(work.dir, 'alone.onnx')], /has no alone\.onnx\.json beside it/],
      [() => ['--engine', 'kokoro', '--voice-file', piper], /has no voices\/ folder beside it/],
      [() => ['--voice-file', work.dir], /is not a file: give the voice's \.onnx/],
    ])('refuses a voice file that cannot be a voice (%#)', (args, message) => {
      expect(() => parseConfig(args(), {})).toThrow(ConfigError);
      expect(() => parseConfig(args(), {})).toThrow(message);
    });
  });

  it('answers --help', () => {
    expect(parseConfig(['--help'], {})).toEqual({ kind: 'help' });
  });
});

describe('transcription flags', () => {
  it('is off unless --stt; on, it takes tiny.en into the user cache, 25 MB uploads and the stt Python', () => {
    expect(run([]).config.stt).toBe(false);
    expect(run(['--stt'], { AITALK_STT_PYTHON: '/opt/fw/bin/python' }).config).toMatchObject({
      stt: true,
      sttModel: 'tiny.en',
      sttModelsDir: '/home/learner/.cache/aitalk/stt-models',
      sttPython: '/opt/fw/bin/python',
      sttMaxMb: 25,
    });
  });

  it('takes a model folder, and refuses a missing one or a model it cannot check, saying what to do', async () => {
    const work = await tempDir('aitalk-stt-config-');
    try {
      expect(run(['--stt', '--stt-model', work.dir]).config.sttModel).toBe(work.dir);
      expect(() => run(['--stt', '--stt-model', path.join(work.dir, 'nope')])).toThrow(
        /--stt-model must be tiny\.en, base\.en, small\.en or a faster-whisper model folder/,
      );
      expect(() => run(['--stt', '--stt-model', 'small.en'])).toThrow(
        /no checksum recorded.*Systran\/faster-whisper-small\.en.*--stt-model FOLDER/,
      );
      expect(() => run(['--stt', '--stt-max-mb', '0'])).toThrow(ConfigError);
    } finally {
      await work.remove();
    }
  });

  it('warns that --stt-model means nothing without --stt', () => {
    expect(run(['--stt-model', 'tiny.en']).warnings).toEqual([
      'the --stt-… options are ignored without --stt (transcription is off)',
    ]);
  });
});
