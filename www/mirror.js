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

/**
 * What the page asks of the panel once it is loaded.
 * @typedef {{ mirrorSyncing: () => boolean, showMirrorStatus: () => Promise<void>, turnedOn: () => Promise<void>, autoSync: () => void }} Panel
 */
/** @type {Promise<Panel | null> | null} the panel, loading or loaded (null: it failed) */
let panelLoading = null;
/** @type {Panel | null} */
let panel = null;
/** @type {Hooks | null} */
let hooksGiven = null;
/** Whether the page asked for the automatic sync, and whether the panel runs it. */
let autoSyncAsked = false;
let autoSyncRunning = false;

/** The automatic sync, once asked for and once the panel is there; once only. */
function runAutoSync() {
  if (!autoSyncAsked || !panel || autoSyncRunning) return;
  autoSyncRunning = true;
  panel.autoSync();
}

/**
 * The panel, loaded and wired once (only once the switch is set up: it wires the panel with its hooks);
 * null if it cannot load, said in the status line.
 */
function loadPanel() {
  if (!hooksGiven) return Promise.resolve(null);
  const hooks = hooksGiven;
  // Named where it is imported, so the check for unused exports sees each one used.
  panelLoading ??= import('./mirror-panel.js').then(
    ({ setUpPanel, mirrorSyncing, showMirrorStatus, turnedOn, autoSync }) => {
      setUpPanel(hooks);
      panel = { mirrorSyncing, showMirrorStatus, turnedOn, autoSync };
      return panel;
    },
    (e) => {
      ui.status.textContent = `無法載入離線資料面板（${(e instanceof Error && e.message) || e}），請重新整理頁面。`;
      ui.status.dataset.freshness = 'error';
      panelLoading = null;
      return null;
    },
  );
  return panelLoading;
}

/** What the status line says while the panel, or the module that reads the mirror, loads. */
function showLoading() {
  ui.status.textContent = '離線資料讀取中…';
  ui.status.dataset.freshness = 'loading';
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
    if (!panelLoading) showLoading();
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
    // Said as soon as the switch moves: the module that reads the mirror may take a moment.
    if (mirrorEnabled()) showLoading();
    await hooks.changed();
    // As stored: a browser that refused to keep the setting has the mirror off.
    if (mirrorEnabled()) await (await loadPanel())?.turnedOn();
    showMirrorStatus();
    runAutoSync();
  });
  showMirrorStatus();
}

/** The automatic sync (mirror-panel.js): now with the mirror on, else once it is turned on. */
export function autoSync() {
  autoSyncAsked = true;
  if (mirrorEnabled()) loadPanel().then(runAutoSync);
}
