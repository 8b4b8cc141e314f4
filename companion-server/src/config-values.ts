import os from 'node:os';
import path from 'node:path';

/** The one line a misconfigured start prints before exiting with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A folder of AITalk's under the user's cache (XDG_CACHE_HOME, else ~/.cache). */
export function cacheFolder(env: NodeJS.ProcessEnv, name: string): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'aitalk', name);
}

export function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`--${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** An http:// or https:// URL; `what` names the flag or variable, `notUrlHint` follows the "not a URL" message. */
export function httpUrl(raw: string, what: string, notUrlHint = ''): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${what} is not a URL: "${raw}"${notUrlHint}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${what} must be http:// or https://, got "${raw}"`);
  }
  return url;
}
