import { type AnchorHTMLAttributes, type MouseEvent, useCallback, useEffect, useState } from 'react';

export const BASE = '/console';

export type Route =
  | { name: 'users' }
  | { name: 'user'; id: string; tab: 'metadata' | 'history' }
  | { name: 'webhooks' }
  | { name: 'not-found' };

/** The console's paths, under /console (the server answers index.html for every one). */
export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    // A malformed escape (`/console/users/%E0`) names no page.
    return { name: 'not-found' };
  }
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'users')) return { name: 'users' };
  if (parts[0] === 'users' && parts[1] && parts.length === 2) return { name: 'user', id: parts[1], tab: 'metadata' };
  if (parts[0] === 'users' && parts[1] && parts.length === 3 && parts[2] === 'history') {
    return { name: 'user', id: parts[1], tab: 'history' };
  }
  if (parts.length === 1 && parts[0] === 'webhooks') return { name: 'webhooks' };
  return { name: 'not-found' };
}

export const paths = {
  users: () => `${BASE}/`,
  user: (id: string) => `${BASE}/users/${encodeURIComponent(id)}`,
  history: (id: string) => `${BASE}/users/${encodeURIComponent(id)}/history`,
  webhooks: () => `${BASE}/webhooks`,
};

const NAVIGATE = 'usermeta:navigate';

/** Asked before an in-console navigation to `to`: false keeps the person where they are. */
export type LeaveGuard = (to: string) => boolean;
const leaveGuards = new Set<LeaveGuard>();

/** While `guard` is set (unsaved edits), every in-console navigation asks it first. */
export function useLeaveGuard(guard: LeaveGuard | undefined): void {
  useEffect(() => {
    if (!guard) return;
    leaveGuards.add(guard);
    return () => {
      leaveGuards.delete(guard);
    };
  }, [guard]);
}

/** `force`: after something that ends the page anyway (its user deleted), ask no guard. */
export function navigate(to: string, options: { replace?: boolean; force?: boolean } = {}): void {
  if (!options.force) {
    for (const guard of leaveGuards) if (!guard(to)) return;
  }
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
}

/** The current route, following pushState navigations and the browser's back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return route;
}

/** A real link (keyboard, middle-click and copy work) that navigates without reloading. */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = useCallback(
    (event: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(event);
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      navigate(to);
    },
    [to, onClick],
  );
  return <a href={to} onClick={handle} {...rest} />;
}
