import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_NAME } from '@/core/db/schema';
import { resetDbConnection } from '@/core/db/open';
import { listReadings } from '@/features/page/page-db';
import { createBanner } from '@/panel/banner';
import { compareAttempt } from '@/features/corrections/word-diff';
import type { SettingsSync } from '@/features/settings/settings-sync';
import type { PracticeTarget } from '@/features/talk/turn-machine';
import { createHistory } from '../conversations/history';
import type { PageCapture } from './page-capture';
import { createPageSession } from './page-session';
import { deleteDatabase } from '@/core/testing/idb';

const page = (over: Partial<PageCapture>): PageCapture => ({
  id: 'p',
  title: '',
  url: '',
  lang: 'en',
  selection: '',
  text: 'Trees cool the streets in summer. They also clean the air in the city.',
  capturedAt: Date.now(),
  ...over,
});

let history: ReturnType<typeof createHistory> | undefined;

afterEach(() => history?.dispose());

beforeEach(async () => {
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

describe('Read it aloud', () => {
  it('keeps the score with the page the text was read from, even when the selection has moved to another page', async () => {
    history = createHistory();
    await history.create();
    const started: PracticeTarget[] = [];
    const session = createPageSession({
      history,
      // Neither reading aloud nor bringing a page in touches the settings.
      settings: {} as SettingsSync,
      banner: createBanner(() => ''),
      teacherOpens: () => undefined,
      practise: (target) => started.push(target),
      readOut: async () => undefined,
      pageShortcutName: () => '',
    });
    const trees = page({
      id: 'x',
      title: 'Why cities plant trees',
      url: 'https://news.example.org/trees',
      selection: 'Trees cool the streets in summer.',
    });
    const rivers = page({
      id: 'y',
      title: 'How rivers move',
      url: 'https://science.example.org/rivers',
      selection: 'Rivers carry sand to the sea.',
    });

    await session.handle('read-aloud', { status: 'captured', page: trees });
    const [target] = started;
    expect(target?.text).toBe(trees.selection);
    // While the attempt is transcribed and judged, the learner selects text on another page.
    await session.handle('talk', { status: 'captured', page: rivers });
    expect(session.selection.value?.url).toBe(rivers.url);

    const said = 'Trees cool the street in summer.';
    await session.keepReading({
      target: target!,
      said,
      comparison: compareAttempt(target!.text, said),
      durationMs: 3_000,
      at: Date.now(),
    });
    const [reading] = await listReadings();
    expect(reading).toMatchObject({
      pageTitle: 'Why cities plant trees',
      url: 'https://news.example.org/trees',
      text: trees.selection,
      said,
    });
  });
});
