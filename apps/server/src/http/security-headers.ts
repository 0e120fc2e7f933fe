import type { Response } from 'express';

const HEADERS: ReadonlyArray<[string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

/**
 * Headers for an API that serves JSON only. No CORS headers at all: browsers on other
 * origins are refused by default. The docs page sets its own Content-Security-Policy.
 */
export function setSecurityHeaders(res: Response): void {
  for (const [name, value] of HEADERS) res.setHeader(name, value);
}
