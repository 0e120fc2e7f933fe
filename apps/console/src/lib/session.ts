/**
 * The API key lives in sessionStorage only: it is gone when the tab closes, never written to
 * localStorage, a cookie or a URL.
 */
const STORAGE_KEY = 'usermeta.console.apiKey';

export function storedKey(): string | undefined {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeKey(key: string): void {
  window.sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
