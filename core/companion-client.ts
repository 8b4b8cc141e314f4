import { t } from './i18n';

/** Talking to the learner's companion voice server from the side panel (health checks). */

export async function testCompanion(url: string, token: string): Promise<{ ok: boolean; message: string }> {
  let response: Response;
  try {
    response = await fetch(`${url}/health`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    return { ok: false, message: t('connection.companionDown', { url }) };
  }
  if (response.status === 401) {
    return { ok: false, message: t('connection.companionWantsToken') };
  }
  if (response.status === 403) {
    return {
      ok: false,
      message: t('connection.companionRefused', { id: globalThis.chrome?.runtime?.id ?? 'THIS_EXTENSION_ID' }),
    };
  }
  const health = (await response.json().catch(() => null)) as {
    engine?: string;
    ready?: boolean;
    status?: string;
  } | null;
  if (!response.ok || !health || typeof health.engine !== 'string') {
    return { ok: false, message: t('connection.notCompanion', { url }) };
  }
  if (!health.ready) {
    return { ok: true, message: t('connection.companionLoading', { engine: health.engine }) };
  }
  return { ok: true, message: t('connection.companionReady', { engine: health.engine }) };
}
