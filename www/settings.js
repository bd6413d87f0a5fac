// @ts-check
// Where the page asks: the deployment's booktax-config.json, overridden by this browser's saved settings.

const SETTINGS_KEY = 'booktax.settings';

/** @typedef {{ baseUrl: string, appid?: string }} Settings */
/** @typedef {Settings & { sample: boolean }} Config */

/**
 * The deployment's defaults; a static deploy may have none (own origin, no appid).
 * @returns {Promise<Config>}
 */
export async function loadConfig() {
  /** @type {Config} */
  const fallback = { baseUrl: '', appid: undefined, sample: false };
  try {
    const res = await fetch('booktax-config.json', { cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) return fallback;
    const json = await res.json();
    if (!json || typeof json !== 'object') return fallback;
    return {
      baseUrl: typeof json.baseUrl === 'string' ? json.baseUrl : '',
      appid: typeof json.appid === 'string' ? json.appid : undefined,
      sample: json.sample === true,
    };
  } catch {
    return fallback;
  }
}

/**
 * What the clerk saved in this browser, if anything.
 * @returns {Settings | null}
 */
export function savedSettings() {
  try {
    const raw = localStorage.getItem(SETTINGS_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw);
    if (!s || typeof s !== 'object') return null;
    return { baseUrl: typeof s.baseUrl === 'string' ? s.baseUrl : '', appid: typeof s.appid === 'string' ? s.appid : '' };
  } catch {
    return null;
  }
}

/**
 * The settings in force: saved ones, else the deployment's.
 * @param {Config} config
 * @returns {Settings}
 */
export function effectiveSettings(config) {
  return savedSettings() || { baseUrl: config.baseUrl, appid: config.appid };
}

/**
 * Saves settings; returns an error message for the clerk, or null.
 * @param {Settings} settings
 * @returns {string | null}
 */
export function saveSettings({ baseUrl, appid }) {
  if (baseUrl && !/^https?:\/\/[^\s/]+/i.test(baseUrl)) {
    return '服務網址需以 http:// 或 https:// 開頭，或留空表示本站。';
  }
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ baseUrl, appid }));
    return null;
  } catch {
    return '無法儲存設定（瀏覽器不允許本機儲存）。';
  }
}

/** Forgets the saved settings. */
export function clearSettings() {
  try {
    localStorage.removeItem(SETTINGS_KEY);
  } catch {
    // nothing saved to remove
  }
}
