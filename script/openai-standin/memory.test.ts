// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { computed, signal } from '@preact/signals';
import { h } from 'preact';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createConversation, putMessage } from '../../core/db/conversations.ts';
import { resetDbConnection } from '../../core/db/open.ts';
import { DB_NAME, newId } from '../../core/db/schema.ts';
import { deleteDatabase } from '../../core/testing/idb.ts';
import type { StructuredMode } from '../../features/corrections/correction-schema.ts';
import { requestCorrections } from '../../features/corrections/corrections.ts';
import { saveCheck } from '../../features/corrections/notebook.ts';
import type { StructuredSupportMemory } from '../../features/corrections/structured-support.ts';
import { proposeFacts } from '../../features/memory/fact-proposal.ts';
import { createMemory } from '../../features/memory/memory-store.ts';
import { MemoryView } from '../../features/memory/MemoryView.tsx';
import { apiEndpoints } from '../../features/settings/endpoints.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../features/settings/settings.ts';
import type { SettingsSync } from '../../features/settings/settings-sync.ts';
import { streamReply } from '../../features/talk/teacher-api.ts';
import { teacherInstructions } from '../../features/talk/teacher-prompt.ts';
import { startStandin, type Standin } from './server.ts';

// What the teacher remembers, end to end against the stand-in (every request validated against the
// official OpenAPI description): corrections tagged with grammar points and kept in IndexedDB, the
// memory computed from them, the teacher's request as teacher-reply.ts builds it, and the facts
// proposed at a conversation's end.

let standin: Standin;

function memorySupport(): StructuredSupportMemory {
  const known = new Map<string, StructuredMode>();
  return { get: async (url) => known.get(url), remember: async (url, mode) => void known.set(url, mode) };
}

function settingsWith(overrides: Partial<Settings>): SettingsSync {
  const settings = signal<Settings>({ ...DEFAULT_SETTINGS, apiBaseUrl: standin.url, ...overrides });
  const endpoints = computed(() => apiEndpoints(settings.value, { apiKey: standin.apiKey, transcriptionKey: '' }));
  return { settings, endpoints, hasKey: computed(() => true) } as unknown as SettingsSync;
}

/** The teacher's opening request of a new conversation, as features/talk/teacher-reply.ts sends it. */
async function openingRequest(settings: SettingsSync, memory: ReturnType<typeof createMemory>): Promise<string> {
  const s = settings.settings.value;
  const system = teacherInstructions({
    level: s.level,
    scenario: s.scenario,
    ownTopic: s.ownTopic,
    style: s.teacherStyle,
    customInstructions: s.teacherInstructions,
    explanationLanguage: s.explanationLanguage,
    memory: memory.forTeacher(),
  });
  standin.control.clearRequests();
  await streamReply(settings.endpoints.value.chat, [{ role: 'system', content: system }], () => undefined);
  const request = standin.requests.at(-1);
  expect(request?.valid).toBe(true);
  return JSON.stringify(request?.body);
}

/** A learner sentence checked by the stand-in and kept, as the corrections lane does. */
async function said(conversationId: string, sentence: string, settings: SettingsSync): Promise<void> {
  const outcome = await requestCorrections(
    settings.endpoints.value.chat,
    { sentence, explanationLanguage: 'en' },
    { support: memorySupport() },
  );
  if (!outcome.ok) throw new Error(outcome.failure.message);
  await saveCheck(outcome.check, { messageId: newId(), conversationId });
}

async function learnerMessage(conversationId: string, text: string, createdAt: number): Promise<void> {
  await putMessage({ id: newId(), conversationId, role: 'user', text, status: 'done', createdAt, timings: {} });
}

beforeAll(async () => {
  standin = await startStandin({ latencyProfile: 'fast' });
});

afterAll(async () => {
  await standin?.close();
});

beforeEach(async () => {
  standin.control.reset();
  fakeBrowser.reset();
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

afterEach(cleanup);

describe('the teacher remembers the learner’s mistakes', () => {
  it('focuses a new conversation on the past tense after three past-tense mistakes in two sessions; memory off, no focus and no summary', async () => {
    const settings = settingsWith({});
    await said('session-1', 'Yesterday I go to the library', settings);
    await said('session-1', 'Last week I buy a new phone', settings);
    await said('session-2', 'Yesterday we watch a film', settings);

    const memory = createMemory({ settings });
    await memory.refresh();
    expect(memory.recurring.value).toEqual([
      { point: 'past-simple', sessions: 2, count: 3, lastAt: expect.any(Number) },
    ]);
    const withMemory = await openingRequest(settings, memory);
    expect(withMemory).toContain('This session, give the learner two chances to use the past simple');
    expect(withMemory).toContain('the past simple (3 times in 2 conversations)');

    settings.settings.value = { ...settings.settings.value, memory: false };
    const without = await openingRequest(settings, memory);
    expect(without).not.toMatch(/past simple|This session|remember about this learner/);
  });

  it('does not focus on a mistake made in one session only', async () => {
    const settings = settingsWith({});
    await said('session-1', 'Yesterday I go to the library', settings);
    await said('session-1', 'Last week I buy a new phone', settings);
    const memory = createMemory({ settings });
    await memory.refresh();
    expect(await openingRequest(settings, memory)).not.toContain('This session');
  });
});

describe('facts the learner keeps', () => {
  it('shows a fact proposed at the end of a conversation after Keep, and after it is deleted no later request holds it', async () => {
    const settings = settingsWith({});
    const conversation = await createConversation();
    await learnerMessage(conversation.id, 'My name is Li Wei.', 1);
    await learnerMessage(conversation.id, 'I have a job interview on Friday and I am nervous.', 2);
    const memory = createMemory({ settings, proposalOptions: { support: memorySupport() } });
    await memory.refresh();

    await memory.propose(conversation.id);
    const proposed = memory.proposal.value?.facts ?? [];
    expect(proposed.map((fact) => [fact.kind, fact.text])).toEqual([
      ['name', 'Is called Li Wei'],
      ['event', 'Has a job interview on Friday'],
    ]);
    // Nothing is kept before the learner keeps it.
    expect(memory.facts.value).toEqual([]);
    const interview = proposed[1]!;
    await memory.keep(interview.key, { kind: interview.kind, text: interview.text });
    memory.discard(proposed[0]!.key);
    expect(memory.proposal.value).toBeNull();

    const view = () =>
      render(
        // This project runs .ts files only, so no JSX here.
        h(MemoryView, {
          enabled: true,
          facts: memory.facts.value,
          recurring: memory.recurring.value,
          sounds: memory.sounds.value,
          level: 'B1',
          onEdit: () => undefined,
          onDelete: (id: string) => void memory.remove(id),
          onForget: () => undefined,
        }),
      );
    view();
    expect(screen.getByText('Has a job interview on Friday')).toBeTruthy();
    expect(screen.queryByText(/Li Wei/)).toBeNull();
    const opening = await openingRequest(settings, memory);
    expect(opening).toContain('Coming up: Has a job interview on Friday.');
    expect(opening).toContain('Never recite it');

    fireEvent.click(screen.getByRole('button', { name: 'Delete “Has a job interview on Friday”' }));
    await expect.poll(() => memory.facts.value.length).toBe(0);
    cleanup();
    view();
    expect(screen.queryByText('Has a job interview on Friday')).toBeNull();

    // Later requests: the teacher's, and the next conversation's proposal.
    expect(await openingRequest(settings, memory)).not.toMatch(/interview/i);
    const next = await createConversation();
    await learnerMessage(next.id, 'I like swimming.', 3);
    standin.control.clearRequests();
    await memory.propose(next.id);
    expect(memory.proposal.value?.facts.map((fact) => fact.text)).toEqual(['Likes swimming']);
    expect(standin.requests.length).toBeGreaterThan(0);
    for (const request of standin.requests) expect(JSON.stringify(request.body)).not.toMatch(/interview/i);
  });

  it('proposes nothing, and sends nothing, when memory is off', async () => {
    const settings = settingsWith({ memory: false });
    const conversation = await createConversation();
    await learnerMessage(conversation.id, 'I have a job interview on Friday.', 1);
    const memory = createMemory({ settings, proposalOptions: { support: memorySupport() } });
    standin.control.clearRequests();
    await memory.propose(conversation.id);
    expect(memory.proposal.value).toBeNull();
    expect(standin.requests).toHaveLength(0);
  });
});

describe('the facts request falls back like the corrections', () => {
  it.each([
    ['json_schema', ['json_schema'], 'json_schema'],
    ['json_object', ['json_schema', 'json_object'], 'json_object'],
    ['none', ['json_schema', 'json_object', 'plain'], 'plain'],
  ] as const)(
    'a server with %s: asks %j, answers in %s mode, and asks once next time',
    async (support, asked, mode) => {
      standin.control.setStructuredOutputs(support);
      const endpoint = { apiKey: standin.apiKey, baseUrl: standin.url, model: 'gpt-4o-mini' };
      const remembered = memorySupport();
      const input = { learnerMessages: ['I work as a nurse, and I want to pass the IELTS exam.'], known: [] };
      const outcome = await proposeFacts(endpoint, input, { support: remembered });
      expect(outcome).toEqual({
        ok: true,
        mode,
        facts: [
          { kind: 'job', text: 'Works as a nurse' },
          { kind: 'goal', text: 'Wants to pass the IELTS exam' },
        ],
      });
      const sent = standin.requests.map(
        (r) => (r.body as { response_format?: { type: string } }).response_format?.type ?? 'plain',
      );
      expect(sent).toEqual(asked);
      expect(standin.requests.every((r) => r.valid)).toBe(true);

      standin.control.clearRequests();
      await proposeFacts(endpoint, input, { support: remembered });
      expect(standin.requests).toHaveLength(1);
    },
  );
});
