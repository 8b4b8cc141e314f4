import { browser } from 'wxt/browser';
import { ApiProblem, describeApiError } from '../../core/api-errors';
import { t } from '../../core/i18n';
import { fetchCompanionStt, testCompanion, type CompanionSttStatus } from '../../core/companion-client';
import { apiEndpoints, type Endpoint } from './endpoints';
import { transcribesWithCompanion } from './this-computer';
import type { ApiKeys, Settings } from './settings';
import { createClient, transcribe } from '../talk/teacher-api';

/** The sample shipped in public/ (made by script/make-test-sample.ts) and what it says. */
export const TEST_SAMPLE_PATH = '/hello-can-you-hear-me.ogg';
export const TEST_SAMPLE_TEXT = 'Hello, can you hear me?';

export interface CheckResult {
  ok: boolean;
  message: string;
}

export interface ConnectionReport {
  chat: CheckResult;
  transcription: CheckResult;
  companion: CheckResult;
}

export interface TestOptions {
  /** The test recording; the extension's own copy by default. */
  loadSample?: () => Promise<Blob>;
}

async function loadShippedSample(): Promise<Blob> {
  const response = await fetch(browser.runtime.getURL(TEST_SAMPLE_PATH));
  if (!response.ok) throw new Error(`the test recording is missing from the extension (${response.status})`);
  return response.blob();
}

/** The server's model list, or null when it has none to give (404): then names are not checked. */
async function listModels(endpoint: Endpoint): Promise<string[] | null> {
  try {
    const page = await createClient(endpoint).models.list();
    return page.data.map((model) => model.id);
  } catch (error) {
    const problem = describeApiError(error, endpoint.baseUrl, endpoint.model, {
      role: endpoint.role,
      separateServer: endpoint.separateServer,
      keyless: !endpoint.apiKey,
    });
    if (problem.kind === 'not-openai-compatible' || problem.kind === 'no-chat' || problem.kind === 'no-transcription')
      return null;
    throw problem;
  }
}

function modelNote(models: string[] | null, model: string): string {
  if (!models || models.length === 0 || models.includes(model)) return '';
  const some = models.slice(0, 6).join(', ');
  return ` ${t('connection.modelNotListed', { model, models: `${some}${models.length > 6 ? '…' : ''}` })}`;
}

const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);

async function checkChat(endpoint: Endpoint): Promise<CheckResult> {
  try {
    const models = await listModels(endpoint);
    return {
      ok: true,
      message: `${endpoint.apiKey ? t('connection.keyAccepted') : t('connection.serverAnswers')}${modelNote(models, endpoint.model)}`,
    };
  } catch (error) {
    return { ok: false, message: problemText(error, endpoint) };
  }
}

/** Why the companion cannot transcribe yet, and what to do; null when it can. */
function companionSttProblem(status: CompanionSttStatus, url: string): string | null {
  switch (status.state) {
    case 'ready':
      return null;
    case 'unreachable':
      return t('local.sttCompanionDown', { url });
    case 'refused':
      return status.message ?? t('connection.companionWantsToken');
    case 'not-companion':
      return t('connection.notCompanion', { url });
    case 'absent':
      return t('local.sttAbsent');
    case 'off':
      return t('local.sttOff');
    case 'fetching':
      return status.percent === null
        ? t('local.sttFetching', { model: status.model })
        : t('local.sttFetchingPercent', { model: status.model, percent: status.percent });
    case 'loading':
      return t('local.sttLoading', { model: status.model });
    case 'failed':
      return t('local.sttFailed', { model: status.model, reason: status.message ?? '' });
  }
}

async function checkTranscription(
  endpoint: Endpoint,
  loadSample: () => Promise<Blob>,
  companion: { url: string; token: string } | null,
): Promise<CheckResult> {
  try {
    // The companion has no GET /v1/models; its /health says whether transcription is on and its model loaded.
    if (companion) {
      const problem = companionSttProblem(await fetchCompanionStt(companion.url, companion.token), companion.url);
      if (problem) return { ok: false, message: problem };
    }
    const models = endpoint.separateServer && !companion ? await listModels(endpoint) : null;
    const sample = await loadSample();
    const { text } = await transcribe(endpoint, sample, sample.type || 'audio/ogg');
    const heard = words(text);
    const expected = words(TEST_SAMPLE_TEXT);
    const matched = expected.filter((word) => heard.includes(word)).length;
    if (matched >= expected.length - 1) {
      return { ok: true, message: `${t('connection.heard', { text })}${modelNote(models, endpoint.model)}` };
    }
    return {
      ok: false,
      message: text
        ? t('connection.heardOther', { text, expected: TEST_SAMPLE_TEXT })
        : t('connection.heardNothing', { expected: TEST_SAMPLE_TEXT }),
    };
  } catch (error) {
    return { ok: false, message: problemText(error, endpoint) };
  }
}

function problemText(error: unknown, endpoint: Endpoint): string {
  const problem =
    error instanceof ApiProblem
      ? error
      : describeApiError(error, endpoint.baseUrl, endpoint.model, {
          role: endpoint.role,
          separateServer: endpoint.separateServer,
          keyless: !endpoint.apiKey,
        });
  if (problem.kind === 'no-transcription' && !endpoint.separateServer) {
    return t('connection.noTranscriptionHere');
  }
  return problem.message;
}

/**
 * What "Test connection" reports, for the settings as typed (not yet saved): the chat server's key
 * and model, a real transcription of the shipped sample on the transcription server, and the
 * companion voice.
 */
export async function testConnection(
  settings: Settings,
  keys: ApiKeys,
  options: TestOptions = {},
): Promise<ConnectionReport> {
  const endpoints = apiEndpoints(settings, keys);
  const [chat, transcription, companion] = await Promise.all([
    checkChat(endpoints.chat),
    checkTranscription(
      endpoints.transcription,
      options.loadSample ?? loadShippedSample,
      transcribesWithCompanion(settings) ? { url: settings.companionUrl, token: settings.companionToken } : null,
    ),
    testCompanion(settings.companionUrl, settings.companionToken),
  ]);
  return { chat, transcription, companion };
}
