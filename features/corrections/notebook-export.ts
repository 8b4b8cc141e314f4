import { KIND_LABELS } from './correction-schema';
import type { Conversation, Message, NotebookEntry, StoredCheck } from '../../core/db/schema';
import { getConversation, listConversations, listMessages } from '../../core/db/conversations';
import { correctedSentenceOf, listChecks, listNotebook } from './notebook';

/** Exports a learner takes away: the notebook as CSV, a conversation with its corrections as Markdown. */

/** The learner's own calendar date, e.g. 2026-11-29. */
export function localDate(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * RFC 4180 quoting; a cell starting with = + - @ is prefixed with ' so a spreadsheet shows it
 * instead of running it as a formula.
 */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_HEADER = [
  'Date',
  'Kind',
  'You said',
  'Mistake',
  'Correction',
  'Corrected sentence',
  'More natural',
  'Explanation',
  'Conversation',
  'Next review',
];

/**
 * The notebook as CSV, one correction a row. Starts with a byte-order mark so spreadsheet programs
 * read the UTF-8 (Chinese explanations) correctly; lines end in CRLF as RFC 4180 asks.
 */
export function notebookCsv(
  entries: readonly NotebookEntry[],
  titles: ReadonlyMap<string, string> = new Map(),
): string {
  const rows = entries.map((entry) => [
    localDate(entry.createdAt),
    KIND_LABELS[entry.correction.kind],
    entry.sentence,
    entry.correction.original,
    entry.correction.corrected,
    entry.correctedSentence,
    entry.natural,
    entry.correction.explanation,
    titles.get(entry.conversationId) ?? '',
    localDate(entry.due),
  ]);
  return `\uFEFF${[CSV_HEADER, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Text inside an Anki field imported with HTML on: the learner's words shown as written, never as markup. */
function ankiHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, ' ')
    .replace(/\r?\n/g, '<br>');
}

/** Anki tags are one word each: "word_choice", under the deck's own "AITalk" tag. */
const ANKI_TAG = 'AITalk';

/**
 * The notebook as an Anki deck: Anki's text import format with file headers (Anki 2.1.55 and later read them), so
 * importing needs no mapping — Basic notes in an "AITalk notebook" deck, one per correction. Front: the sentence
 * as the learner said it. Back: the corrected sentence, the change, the explanation and the more natural wording.
 * Each note's GUID is its notebook entry's id, so importing a newer export updates the notes instead of doubling
 * them (and keeps their Anki review history).
 */
export function notebookAnki(entries: readonly NotebookEntry[]): string {
  const headers = [
    '#separator:tab',
    '#html:true',
    '#notetype:Basic',
    '#deck:AITalk notebook',
    '#guid column:1',
    '#tags column:4',
    '#columns:GUID\tFront\tBack\tTags',
  ];
  const rows = entries.map((entry) => {
    const { original, corrected, explanation, kind } = entry.correction;
    const change = corrected ? `${ankiHtml(original)} → <b>${ankiHtml(corrected)}</b>` : `<s>${ankiHtml(original)}</s>`;
    const back = [
      `<b>${ankiHtml(entry.correctedSentence)}</b>`,
      `${change} (${ankiHtml(KIND_LABELS[kind])})`,
      ankiHtml(explanation),
      ...(entry.natural && entry.natural !== entry.correctedSentence ? [`<i>${ankiHtml(entry.natural)}</i>`] : []),
    ].join('<br><br>');
    return [`aitalk-${entry.id}`, ankiHtml(entry.sentence), back, `${ANKI_TAG} ${kind}`].join('\t');
  });
  return `${[...headers, ...rows].join('\n')}\n`;
}

/** Learner text must not turn into Markdown formatting. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_~[\]<>#|])/g, '\\$1');
}

/** A conversation as Markdown: every turn, and under each learner sentence its corrections. */
export function conversationMarkdown(
  conversation: Conversation,
  messages: readonly Message[],
  checks: readonly StoredCheck[],
): string {
  const byMessage = new Map(checks.map((check) => [check.messageId, check]));
  const lines = [`# ${escapeMarkdown(conversation.title)}`, '', `${localDate(conversation.createdAt)}`, ''];
  for (const message of messages) {
    if (!message.text.trim()) continue;
    const who = message.role === 'user' ? 'You' : 'Teacher';
    lines.push(`**${who}:** ${escapeMarkdown(message.text.trim())}`, '');
    const check = byMessage.get(message.id);
    if (!check) continue;
    const shown = check.corrections.filter((_c, index) => !check.dismissed.includes(index));
    if (check.misheard) lines.push('> _You marked this transcript as not what you said._', '>');
    if (shown.length === 0 && !check.misheard) lines.push('> ✓ No corrections.', '');
    for (const correction of shown) {
      const change = correction.corrected
        ? `~~${escapeMarkdown(correction.original)}~~ → **${escapeMarkdown(correction.corrected)}**`
        : `~~${escapeMarkdown(correction.original)}~~ (remove)`;
      lines.push(`> - ${change} (${KIND_LABELS[correction.kind]}): ${escapeMarkdown(correction.explanation)}`);
    }
    if (shown.length > 0) {
      lines.push('>', `> Corrected: ${escapeMarkdown(correctedSentenceOf(check))}`);
      if (check.natural) lines.push(`> More natural: ${escapeMarkdown(check.natural)}`);
      lines.push('');
    } else if (check.misheard) lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export async function exportNotebookCsv(): Promise<string> {
  const [entries, conversations] = await Promise.all([listNotebook(), listConversations()]);
  return notebookCsv(entries, new Map(conversations.map((c) => [c.id, c.title])));
}

export async function exportNotebookAnki(): Promise<string> {
  return notebookAnki(await listNotebook());
}

export async function exportConversationMarkdown(conversationId: string): Promise<string | undefined> {
  const conversation = await getConversation(conversationId);
  if (!conversation) return undefined;
  const [messages, checks] = await Promise.all([listMessages(conversationId), listChecks(conversationId)]);
  return conversationMarkdown(conversation, messages, checks);
}

/** A safe file name from a title, e.g. "aitalk-yesterday-i-go-to-the-library.md". */
export function fileNameFor(title: string, extension: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `aitalk-${slug || 'export'}.${extension}`;
}

/** Saves text as a file through the browser's download (no permission needed from an extension page). */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
