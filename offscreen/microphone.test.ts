import { describe, expect, it } from 'vitest';
import { explainMicrophoneFailure } from './microphone';

function namedError(name: string): DOMException {
  return new DOMException(`${name} happened`, name);
}

describe('a microphone that cannot be opened', () => {
  it.each([
    ['NotAllowedError', 'prompt', 'permission-needed'],
    ['NotAllowedError', 'denied', 'permission-denied'],
    ['NotAllowedError', 'granted', 'permission-denied'],
    ['NotFoundError', 'granted', 'no-microphone'],
    ['OverconstrainedError', 'granted', 'no-microphone'],
  ] as const)('maps %s with permission %s to %s', async (name, permission, status) => {
    expect(await explainMicrophoneFailure(namedError(name), async () => permission)).toEqual({ status });
  });

  it('explains a microphone in use by another application', async () => {
    const reply = await explainMicrophoneFailure(namedError('NotReadableError'), async () => 'granted');
    expect(reply.status).toBe('error');
    if (reply.status === 'error') expect(reply.message).toMatch(/another application/);
  });

  it('passes on what any other failure said', async () => {
    const reply = await explainMicrophoneFailure(namedError('AbortError'), async () => 'granted');
    expect(reply).toMatchObject({ status: 'error', message: expect.stringMatching(/AbortError: AbortError happened/) });
  });
});
