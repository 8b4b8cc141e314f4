/** Talking to the learner's companion voice server from the side panel (health checks). */

export const COMPANION_START_HINT = 'Start it with `npm run companion` in the AITalk folder.';

export async function testCompanion(url: string, token: string): Promise<{ ok: boolean; message: string }> {
  let response: Response;
  try {
    response = await fetch(`${url}/health`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    return { ok: false, message: `The voice server is not running at ${url}. ${COMPANION_START_HINT}` };
  }
  if (response.status === 401) {
    return { ok: false, message: 'The voice server wants a token: copy the one it was started with into "Companion token".' };
  }
  if (response.status === 403) {
    return {
      ok: false,
      message: `The voice server refused this extension (403). Start it with --allow-origin ${globalThis.chrome?.runtime?.id ?? 'THIS_EXTENSION_ID'}.`,
    };
  }
  const health = (await response.json().catch(() => null)) as { engine?: string; ready?: boolean; status?: string } | null;
  if (!response.ok || !health || typeof health.engine !== 'string') {
    return { ok: false, message: `${url} is not an AITalk companion. Check the Companion URL.` };
  }
  if (!health.ready) {
    return { ok: true, message: `The voice server (${health.engine}) is still loading its voice; it will speak soon.` };
  }
  return { ok: true, message: `The voice server answers (${health.engine} voice).` };
}
