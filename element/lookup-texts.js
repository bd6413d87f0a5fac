// @ts-check
// The element's own words in zh-TW and English; every verdict message comes from the wasm in the same language.

/** @typedef {'zh-TW' | 'en'} ElementLang */

const TEXTS = {
  'zh-TW': {
    lang: 'zh-Hant-TW',
    label: 'ISBN／EAN 條碼',
    button: '查詢',
    busy: '查詢中…',
    exempt: '免稅',
    taxable: '應稅',
    unknown: '無法判定',
    untitled: '（無書名）',
    required: '請先查詢一個條碼，確定是否免稅',
    loadFailed: '無法載入判定程式，請以應稅處理並至認可公告頁面確認',
    badMode: 'mode 只能是 live 或 mirror，請以應稅處理並至認可公告頁面確認',
  },
  en: {
    lang: 'en',
    label: 'ISBN / EAN barcode',
    button: 'Look up',
    busy: 'Looking up…',
    exempt: 'Exempt',
    taxable: 'Taxable',
    unknown: 'Unknown',
    untitled: '(no title)',
    required: 'Look a code up first, to know whether it is exempt',
    loadFailed: 'The decision module could not be loaded; sell as taxable and check the announcement page',
    badMode: 'mode must be live or mirror; sell as taxable and check the announcement page',
  },
};

/** @typedef {typeof TEXTS['en']} Texts */

/**
 * The language of a `lang` attribute: English for any `en…` tag, else zh-TW.
 * @param {string | null} tag
 * @returns {ElementLang}
 */
export function langOf(tag) {
  return /^en(?:$|[-_])/i.test(tag ?? '') ? 'en' : 'zh-TW';
}

/**
 * @param {ElementLang} lang
 * @returns {Texts}
 */
export function textsFor(lang) {
  return TEXTS[lang];
}
