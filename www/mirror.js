// @ts-check
// The offline mirror's switch: whether it is on in this browser, and its panel (mirror-panel.js), loaded only once it is on.

import { byId } from './dom.js';

const ENABLED_KEY = 'booktax.mirror';

/** @typedef {import('./mirror-panel.js').Service} Service */
/** @typedef {import('./mirror-panel.js').BookTaxClient} BookTaxClient */
/** @typedef {{ service: () => Service, client: () => BookTaxClient | null, problem: () => string, changed: () => Promise<void> }} Hooks */

const ui = {
  enabled: byId('mirror-enabled', HTMLInputElement),
  status: byId('mirror-status', HTMLElement),
  message: byId('mirror-message', HTMLElement),
};

/** Whether the clerk turned the mirror on in this browser. */
export function mirrorEnabled() {
  try {
    return localStorage.getItem(ENABLED_KEY) === '1';
  } catch {
    return false;
  }
}

/** @type {Promise<typeof import('./mirror-panel.js') | null> | null} the panel, loading or loaded (null: it failed) */
let panelLoading = null;
/** @type {typeof import('./mirror-panel.js') | null} */
let panel = null;
/** @type {Hooks | null} */
let hooksGiven = null;
/** Whether the page asked for the automatic sync, which the panel runs once it is loaded. */
let autoSyncAsked = false;

/** The panel, loaded and wired once; null if it cannot load (the message line says why). */
function loadPanel() {
  panelLoading ??= import('./mirror-panel.js').then(
    (loaded) => {
      if (hooksGiven) loaded.setUpPanel(hooksGiven);
      if (autoSyncAsked) loaded.autoSync();
      panel = loaded;
      return loaded;
    },
    (e) => {
      ui.message.textContent = `無法載入離線資料面板（${(e instanceof Error && e.message) || e}），請重新整理頁面。`;
      panelLoading = null;
      return null;
    },
  );
  return panelLoading;
}

/** Whether this page's sync is writing the mirror now: lookups then ask the live service first. */
export function mirrorSyncing() {
  return panel?.mirrorSyncing() ?? false;
}

/** Shows what the mirror holds, or that it is off. */
export function showMirrorStatus() {
  ui.enabled.checked = mirrorEnabled();
  if (panel) {
    panel.showMirrorStatus();
  } else if (mirrorEnabled()) {
    loadPanel();
  } else {
    ui.status.textContent = '未啟用：每次查詢都連線至公告服務。';
    ui.status.dataset.freshness = 'off';
  }
}

/**
 * Wires the switch: `changed()` remakes the page's client (with the module that reads the mirror, once it
 * is on); the other hooks are the panel's (mirror-panel.js), loaded with the mirror on.
 * @param {Hooks} hooks
 */
export function setUpMirror(hooks) {
  hooksGiven = hooks;
  ui.enabled.addEventListener('change', async () => {
    try {
      localStorage.setItem(ENABLED_KEY, ui.enabled.checked ? '1' : '0');
    } catch {
      ui.message.textContent = '這個瀏覽器不允許保存設定。';
    }
    await hooks.changed();
    if (ui.enabled.checked) await (await loadPanel())?.turnedOn();
    showMirrorStatus();
  });
  showMirrorStatus();
}

/** The automatic sync (mirror-panel.js): now with the mirror on, else once it is turned on. */
export function autoSync() {
  autoSyncAsked = true;
  panel?.autoSync();
}
