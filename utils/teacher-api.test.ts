import { describe, expect, it } from 'vitest';
import { ApiProblem } from './api-errors';
import { WHISPER_MAX_BYTES, recordingFile, streamReply, transcribe, type ApiConfig } from './teacher-api';

const config: ApiConfig = {
  apiKey: 'sk-test',
  // Nothing listens here: a request that is sent at all fails, which these tests must not see.
  apiBaseUrl: 'http://127.0.0.1:9/v1',
  transcriptionModel: 'whisper-1',
  chatModel: 'gpt-4o-mini',
};

describe('transcription uploads', () => {
  it('go up as a named file of the recording’s type, never as "unknown_file"', () => {
    const file = recordingFile(new Blob(['x']), 'audio/webm;codecs=opus');
    expect(file.name).toBe('recording.webm');
    expect(file.type).toBe('audio/webm');
    expect(recordingFile(new Blob(['x']), 'audio/ogg;codecs=opus').name).toBe('recording.ogg');
  });

  it('refuses a recording over Whisper’s 25 MB limit before uploading anything', async () => {
    const huge = new Blob([new Uint8Array(WHISPER_MAX_BYTES + 1)], { type: 'audio/webm' });
    let sent = false;
    const attempt = transcribe(config, huge, 'audio/webm', { onSent: () => (sent = true) });
    await expect(attempt).rejects.toMatchObject({ kind: 'too-large' });
    await expect(attempt).rejects.toThrow(/over the 25 MB/);
    expect(sent).toBe(false);
  });

  it('without a key, asks for one instead of sending a request', async () => {
    const attempt = transcribe({ ...config, apiKey: '  ' }, new Blob(['x']), 'audio/webm');
    await expect(attempt).rejects.toBeInstanceOf(ApiProblem);
    await expect(attempt).rejects.toMatchObject({ kind: 'no-key' });
    await expect(streamReply({ ...config, apiKey: '' }, [], () => undefined)).rejects.toMatchObject({ kind: 'no-key' });
  });
});
