/**
 * The style nonce the server put in this page (Vite's `csp-nonce` meta). Browsers hide the
 * attribute; the `nonce` property still holds it.
 */
export function styleNonce(): string | undefined {
  const meta = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]');
  const nonce = meta?.nonce;
  return nonce && nonce !== 'USERMETA_CSP_NONCE' ? nonce : undefined;
}
