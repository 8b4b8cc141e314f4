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

export async function rememberQuirks(baseUrl: string, quirks: Omit<ServerQuirks, 'at'>): Promise<void> {
  const all = await quirksItem.getValue();
  await quirksItem.setValue({ ...all, [baseUrl]: { ...all[baseUrl], ...quirks, at: Date.now() } });
}
