// @ts-check
// Offline start: registers the service worker for this build's shell, and offers a new version once it is ready (never mid-session on its own).
import { byId } from './dom.js';

/** Registers `sw.js?v=<this build>`; offline, the worker already registered keeps serving. */
export async function registerOffline() {
  if (!('serviceWorker' in navigator)) return;
  // A page that ran an old version reloads when a new one takes over (in any tab), never mixing the two.
  if (navigator.serviceWorker.controller) {
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
  }
  const banner = byId('update-banner', HTMLElement);
  const button = byId('update-now', HTMLButtonElement);
  let version;
  try {
    const res = await fetch('pkg/shell-manifest.json', { cache: 'no-store' });
    version = (await res.json()).version;
  } catch {
    return;
  }
  if (typeof version !== 'string' || !version) return;
  const registration = await navigator.serviceWorker.register(`sw.js?v=${encodeURIComponent(version)}`).catch(() => null);
  if (!registration) return;
  const offer = () => {
    if (registration.waiting && navigator.serviceWorker.controller) banner.hidden = false;
  };
  registration.addEventListener('updatefound', () => {
    registration.installing?.addEventListener('statechange', offer);
  });
  offer();
  button.addEventListener('click', () => registration.waiting?.postMessage('skip-waiting'));
}
