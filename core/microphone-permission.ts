/**
 * What the learner has answered about the microphone for this extension, if the browser says:
 * 'prompt' (never asked: the permission page must ask), 'granted' or 'denied'. Shared by the
 * recorder and the permission page, which must not pull the recorder in.
 */
export async function microphonePermission(): Promise<PermissionState | 'unknown'> {
  try {
    return (await navigator.permissions.query({ name: 'microphone' })).state;
  } catch {
    return 'unknown';
  }
}
