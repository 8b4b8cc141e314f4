import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type CompanionConfig } from './config.ts';

function run(args: string[], env: NodeJS.ProcessEnv = {}): { config: CompanionConfig; warnings: string[] } {
  const parsed = parseConfig(args, { HOME: '/home/learner', ...env });
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  return parsed;
}

describe('companion configuration', () => {
  it('defaults to the embedded espeak voice on 127.0.0.1:8730', () => {
    const { config, warnings } = run([]);
    expect(config).toMatchObject({
      port: 8730,
      host: '127.0.0.1',
      engine: 'espeak',
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
    [['--model', 'tts_models/en/vctk/vits'], /does not apply to the espeak engine/],
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

  it('answers --help', () => {
    expect(parseConfig(['--help'], {})).toEqual({ kind: 'help' });
  });
});
