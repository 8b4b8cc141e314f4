import { storage } from 'wxt/utils/storage';

/**
 * What a server refused once, remembered per base URL so the next request goes straight to what
 * works instead of paying for a refused request every turn. Servers get upgraded, so an entry
 * expires (QUIRK_TTL_MS) and the full request is tried again.
 */
export interface ServerQuirks {
  /** 400 on verbose_json / timestamp_granularities: ask for plain json. */
  noVerboseJson?: boolean;
  /** 400 on language / prompt / temperature: send only the file and the model. */
  noTranscriptionOptions?: boolean;
  /** When the entry was written. */
  at?: number;
}

export const QUIRK_TTL_MS = 7 * 24 * 3600 * 1000;

const quirksItem = storage.defineItem<Record<string, ServerQuirks>>('local:serverQuirks', { fallback: {} });

export async function quirksOf(baseUrl: string): Promise<ServerQuirks> {
  const entry = (await quirksItem.getValue())[baseUrl];
  if (!entry || (entry.at !== undefined && Date.now() - entry.at > QUIRK_TTL_MS)) return {};
  return entry;
}

/** A read made ahead is used within this long; an older one is read again. */
const AHEAD_MS = 10 * 60 * 1000;
const readAhead = new Map<string, { at: number; quirks: Promise<ServerQuirks> }>();

/**
 * Reads a server's quirks while the learner is still speaking, so the upload that follows does
 * not wait for storage (1.5–4.5 ms on the way to the teacher's first word, measured with the bench).
 */
export function readQuirksAhead(baseUrl: string): void {
  const quirks = quirksOf(baseUrl);
  quirks.catch(() => undefined);
  readAhead.set(baseUrl, { at: Date.now(), quirks });
}

/** The quirks read ahead for this request (once), or read now. */
export function quirksForRequest(baseUrl: string): Promise<ServerQuirks> {
  const ahead = readAhead.get(baseUrl);
  readAhead.delete(baseUrl);
  if (ahead && Date.now() - ahead.at < AHEAD_MS) return ahead.quirks.catch(() => quirksOf(baseUrl));
  return quirksOf(baseUrl);
}

export async function rememberQuirks(baseUrl: string, quirks: Omit<ServerQuirks, 'at'>): Promise<void> {
  readAhead.delete(baseUrl);
  const all = await quirksItem.getValue();
  await quirksItem.setValue({ ...all, [baseUrl]: { ...all[baseUrl], ...quirks, at: Date.now() } });
}
