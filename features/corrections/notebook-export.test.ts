import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DB_NAME, type NotebookEntry } from '../../core/db/schema';
import { resetDbConnection } from '../../core/db/open';
import { createConversation, putMessage } from '../../core/db/conversations';
import { listNotebook, markMisheard, saveCheck } from './notebook';
import {
  CSV_HEADER,
  exportConversationMarkdown,
  exportNotebookAnki,
  exportNotebookCsv,
  fileNameFor,
  localDate,
  notebookCsv,
} from './notebook-export';

const NOON = new Date(2026, 10, 29, 12, 0, 0).getTime();

async function deleteDatabase(name: string) {
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

beforeEach(async () => {
  fakeBrowser.reset();
  await resetDbConnection();
  await deleteDatabase(DB_NAME);
});

/** Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF) to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && ch === '"') {
      quoted = false;
    } else if (quoted) {
      cell += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += ch;
    }
  }
  return rows;
}

describe('exports', () => {
  it('exports the notebook as CSV a spreadsheet reads: UTF-8 mark, quoting, no formulas', async () => {
    const talk = await createConversation('Weekend, "finally"');
    await saveCheck(
      {
        sentence: '=1+1 I go, yesterday',
        corrections: [
          { original: 'go', corrected: 'went', explanation: '谈论过去要用过去式，“go”要改成“went”。', kind: 'grammar' },
        ],
        natural: 'I went yesterday.',
        dropped: 0,
      },
      { messageId: 'm1', conversationId: talk.id },
      NOON,
    );
    const csv = await exportNotebookCsv();
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(csv.slice(1));
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows[1]).toEqual([
      '2026-11-29',
      'Grammar',
      "'=1+1 I go, yesterday",
      'go',
      'went',
      '=1+1 I went, yesterday'.replace(/^=/, "'="),
      'I went yesterday.',
      '谈论过去要用过去式，“go”要改成“went”。',
      'Weekend, "finally"',
      '2026-11-29',
    ]);
  });

  it('exports the notebook as an Anki deck: file headers, one Basic note per entry, learner text kept as text', async () => {
    const talk = await createConversation('Weekend');
    await saveCheck(
      {
        sentence: 'Yesterday I go to the <b>library</b>\tand buy "two" books',
        corrections: [
          {
            original: 'go',
            corrected: 'went',
            explanation: '谈论过去要用过去式。\n“go”要改成“went”。',
            kind: 'grammar',
          },
          { original: 'buy', corrected: 'bought', explanation: 'Past tense: bought.', kind: 'grammar' },
        ],
        natural: 'Yesterday I went to the library and picked up two books.',
        dropped: 0,
      },
      { messageId: 'm1', conversationId: talk.id },
      NOON,
    );
    await saveCheck(
      {
        sentence: 'I am agree',
        corrections: [
          { original: 'am', corrected: '', explanation: '"Agree" is a verb: no "am".', kind: 'word_choice' },
        ],
        natural: 'I agree.',
        dropped: 0,
      },
      { messageId: 'm2', conversationId: talk.id },
      NOON + 1000,
    );
    const deck = await exportNotebookAnki();
    const lines = deck.trimEnd().split('\n');
    const headers = lines.filter((line) => line.startsWith('#'));
    expect(headers).toEqual([
      '#separator:tab',
      '#html:true',
      '#notetype:Basic',
      '#deck:AITalk notebook',
      '#guid column:1',
      '#tags column:4',
      '#columns:GUID\tFront\tBack\tTags',
    ]);
    // Anki reads one note a line and a field between tabs: every entry is there, each with four fields.
    const notes = lines.filter((line) => !line.startsWith('#')).map((line) => line.split('\t'));
    const entries = await listNotebook();
    expect(entries).toHaveLength(3);
    expect(notes).toHaveLength(3);
    expect(notes.every((fields) => fields.length === 4)).toBe(true);
    expect(new Set(notes.map((fields) => fields[0]))).toEqual(new Set(entries.map((e) => `aitalk-${e.id}`)));
    const went = notes.find((fields) => fields[2]!.includes('go → <b>went</b>'))!;
    // The learner's markup and quotes stay text; the tab inside the sentence does not start a new field.
    expect(went[1]).toBe('Yesterday I go to the &lt;b&gt;library&lt;/b&gt; and buy &quot;two&quot; books');
    expect(went[2]).toContain(
      '<b>Yesterday I went to the &lt;b&gt;library&lt;/b&gt; and bought &quot;two&quot; books</b>',
    );
    expect(went[2]).toContain('谈论过去要用过去式。<br>“go”要改成“went”。');
    expect(went[2]).toContain('<i>Yesterday I went to the library and picked up two books.</i>');
    expect(went[3]).toBe('AITalk grammar');
    const agree = notes.find((fields) => fields[1] === 'I am agree')!;
    expect(agree[2]).toContain('<s>am</s> (Word choice)');
    expect(agree[2]).toContain('&quot;Agree&quot; is a verb: no &quot;am&quot;.');
    expect(agree[3]).toBe('AITalk word_choice');
  });

  it('exports an empty notebook as just the header', () => {
    expect(notebookCsv([] as NotebookEntry[])).toBe(`\uFEFF${CSV_HEADER.join(',')}\r\n`);
  });

  it('exports a conversation as Markdown with each sentence’s corrections, leaving out dismissed ones', async () => {
    const talk = await createConversation();
    const base = { conversationId: talk.id, status: 'done' as const, timings: {} };
    await putMessage({ ...base, id: 't1', role: 'assistant', text: 'What did you do *yesterday*?', createdAt: 1 });
    await putMessage({
      ...base,
      id: 'u1',
      role: 'user',
      text: 'Yesterday I go to the library and buyed a book',
      createdAt: 2,
    });
    await saveCheck(
      {
        sentence: 'Yesterday I go to the library and buyed a book',
        corrections: [
          { original: 'go', corrected: 'went', explanation: 'Past tense.', kind: 'grammar' },
          { original: 'buyed', corrected: 'bought', explanation: 'Irregular verb.', kind: 'grammar' },
        ],
        natural: 'Yesterday I went to the library and bought a book.',
        dropped: 0,
      },
      { messageId: 'u1', conversationId: talk.id },
      NOON,
    );
    await markMisheard('u1', 1);
    const markdown = await exportConversationMarkdown(talk.id);
    expect(markdown).toBe(
      [
        '# Yesterday I go to the library and buyed…',
        '',
        localDate(talk.createdAt),
        '',
        '**Teacher:** What did you do \\*yesterday\\*?',
        '',
        '**You:** Yesterday I go to the library and buyed a book',
        '',
        '> _You marked this transcript as not what you said._',
        '>',
        '> - ~~go~~ → **went** (Grammar): Past tense.',
        '>',
        '> Corrected: Yesterday I went to the library and buyed a book',
        '> More natural: Yesterday I went to the library and bought a book.',
        '',
      ].join('\n'),
    );
    expect(await exportConversationMarkdown('nope')).toBeUndefined();
  });

  it('names files from the title', () => {
    expect(fileNameFor('Yesterday I go to the library…', 'md')).toBe('aitalk-yesterday-i-go-to-the-library.md');
    expect(fileNameFor('???', 'csv')).toBe('aitalk-export.csv');
  });
});
