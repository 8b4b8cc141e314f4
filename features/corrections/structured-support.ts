import { storage } from 'wxt/utils/storage';
import { STRUCTURED_MODES, type StructuredMode } from './correction-schema';

/**
 * Which structured-output mode each API server accepts, so only the first corrections request to a
 * server without json_schema pays for the refused attempts. Kept in storage.local: every extension
 * page shares it, and it survives restarts.
 */

export interface StructuredSupportEntry {
  mode: StructuredMode;
  /** Date.now() when the mode was learned. */
  at: number;
}

export const structuredSupportItem = storage.defineItem<Record<string, StructuredSupportEntry>>(
  'local:structuredSupport',
  {
    fallback: {},
    version: 1,
  },
);

/** Servers gain features: after this long a downgraded server is asked for json_schema again. */
export const RECHECK_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export interface StructuredSupportMemory {
  /** The best mode known to work for this base URL, or undefined to start from json_schema. */
  get(baseUrl: string): Promise<StructuredMode | undefined>;
  remember(baseUrl: string, mode: StructuredMode): Promise<void>;
}

/** One key per server, whatever way the learner typed its URL. */
export function supportKey(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '').toLowerCase();
}

export const structuredSupport: StructuredSupportMemory = {
  async get(baseUrl) {
    const entry = (await structuredSupportItem.getValue())[supportKey(baseUrl)];
    if (!entry || !STRUCTURED_MODES.includes(entry.mode)) return undefined;
    if (entry.mode !== 'json_schema' && Date.now() - entry.at > RECHECK_AFTER_MS) return undefined;
    return entry.mode;
  },
  async remember(baseUrl, mode) {
    const all = await structuredSupportItem.getValue();
    await structuredSupportItem.setValue({ ...all, [supportKey(baseUrl)]: { mode, at: Date.now() } });
  },
};
