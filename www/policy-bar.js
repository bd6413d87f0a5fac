// @ts-check
// The header's policy bar and clock warning, from what the client worked out (days left and clock days come from Rust).
import { formatDate, setText } from './dom.js';

/** @typedef {import('./pkg/booktax.js').PolicyStatus} PolicyStatus */
/** @typedef {import('./pkg/booktax.js').ClockReading} ClockReading */
/** @typedef {{ bar: HTMLElement, date: HTMLElement, note: HTMLElement }} PolicyParts */

/**
 * Shows the policy's state: loading (null), unknown with the reason, ok, ending soon, or expired.
 * @param {PolicyParts} parts
 * @param {PolicyStatus | null} status
 * @param {string} [unavailable] why there is no status at all (no client)
 */
export function renderPolicy({ bar, date, note }, status, unavailable) {
  if (!status) {
    bar.dataset.state = unavailable ? 'unknown' : 'loading';
    setText(date, unavailable ? '無法取得' : '讀取中…');
    setText(note, unavailable ? `（${unavailable}）無法確認政策是否仍有效，查詢結果無法判定時請以應稅處理。` : '');
    return;
  }
  bar.dataset.state = status.state;
  if (status.state === 'unknown' || !status.policyExpiryDate) {
    setText(date, '無法取得');
    const why = status.error ? status.error.message : '公告服務沒有回應';
    setText(note, `（${why}）無法確認政策是否仍有效，查詢結果無法判定時請以應稅處理。`);
    return;
  }
  const expiry = formatDate(status.policyExpiryDate);
  setText(date, expiry);
  const left = status.daysLeft ?? 0;
  if (status.state === 'expired') {
    setText(note, `⚠ 免稅政策已於 ${expiry} 到期：所有圖書一律應稅。`);
  } else if (status.state === 'warning') {
    setText(note, left === 0
      ? '⚠ 免稅政策今天到期（最後 30 天內），到期後所有圖書一律應稅。'
      : `⚠ 免稅政策將於 ${left} 天後到期（最後 30 天內），到期後所有圖書一律應稅。`);
  } else {
    setText(note, '');
  }
}

/**
 * How much, in words: minutes, hours or days.
 * @param {number} seconds
 */
function amount(seconds) {
  const minutes = Math.round(Math.abs(seconds) / 60);
  if (minutes >= 2880) return `${Math.round(minutes / 1440)} 天`;
  if (minutes >= 120) return `${Math.round(minutes / 60)} 小時`;
  return `${minutes} 分鐘`;
}

/**
 * Says which clock is off and by how much, when the device's and the service's differ notably.
 * @param {HTMLElement} target
 * @param {ClockReading | null} clock
 */
export function renderClock(target, clock) {
  const skew = clock && clock.skewSeconds;
  if (!clock || !skew) {
    target.hidden = true;
    setText(target, '');
    return;
  }
  const direction = skew < 0 ? '快' : '慢';
  const days = clock.serviceDate && clock.serviceDate !== clock.deviceDate
    ? `（電腦 ${formatDate(clock.deviceDate)}，公告服務 ${formatDate(clock.serviceDate)}）：兩個日期都免稅才判定免稅，`
    : '：';
  setText(target, `⚠ 這台電腦的時鐘比公告服務${direction}約 ${amount(skew)}${days}請校正電腦時鐘。`);
  target.hidden = false;
}
