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
  const registration = await registerCurrent();
  if (!registration) return;
  // The worker found a file that is not its version's (a deploy while this page was open): the
  // server's current version is registered, and offered below like any update.
  let lastLook = 0;
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type !== 'booktax-stale' || Date.now() - lastLook < 60000) return;
    lastLook = Date.now();
    registerCurrent();
  });
  const offer = () => {
    if (registration.waiting && navigator.serviceWorker.controller) banner.hidden = false;
  };
  registration.addEventListener('updatefound', () => {
    registration.installing?.addEventListener('statechange', offer);
  });
  offer();
  button.addEventListener('click', () => registration.waiting?.postMessage('skip-waiting'));
}

/** `sw.js?v=<the server's current build>`, from its `pkg/shell-version.txt`; null offline or when refused. */
async function registerCurrent() {
  let version;
  try {
    // The version alone: the manifest, whose files and hashes only the worker reads, is 1.6 KB.
    const res = await fetch('pkg/shell-version.txt', { cache: 'no-store' });
    version = res.ok ? (await res.text()).trim() : '';
  } catch {
    return null;
  }
  if (!/^[\w.-]{1,64}$/.test(version)) return null;
  return navigator.serviceWorker.register(`sw.js?v=${encodeURIComponent(version)}`).catch(() => null);
}
