import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kokoroPaths, piperVoicePaths, voicePackagesDir } from './voice-packages.ts';

describe('voice packages for tests', () => {
  it('lives under the cache folder the environment names', () => {
    expect(voicePackagesDir({ HOME: '/home/learner' })).toBe(
      path.join('/home/learner', '.cache', 'aitalk', 'voice-packages'),
    );
    expect(voicePackagesDir({ HOME: '/home/learner', XDG_CACHE_HOME: '/var/cache/x' })).toBe(
      path.join('/var/cache/x', 'aitalk', 'voice-packages'),
    );
    expect(voicePackagesDir({ AITALK_VOICE_PACKAGES: '/data/voices', XDG_CACHE_HOME: '/x' })).toBe('/data/voices');
  });

  it('fails with the command to run when the voices are not set up', () => {
    expect(() => piperVoicePaths('/nonexistent/voice-packages')).toThrow(/run npm run setup:voices/);
    expect(() => kokoroPaths('/nonexistent/voice-packages')).toThrow(/run npm run setup:voices/);
  });

  it('finds the voices npm run setup:voices put in place', () => {
    expect(piperVoicePaths().modelPath).toMatch(/en_US-joe-medium\.onnx$/);
    expect(kokoroPaths().modelPath).toMatch(/kokoro-v1\.0\.int8\.onnx$/);
  });
});
