import { base64url } from "jose";

/** base64url (no padding) of `n` bytes from the platform CSPRNG: states, nonces and verifiers. */
export function randomUrlSafe(n = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(n)));
}

/**
 * A PKCE code verifier (RFC 7636 §4.1): 32 random bytes give 43 characters of the unreserved set,
 * the minimum length the RFC allows and the size it recommends.
 */
export function codeVerifier(): string {
  return randomUrlSafe(32);
}

/** The S256 code challenge: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function codeChallengeS256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url.encode(new Uint8Array(digest));
}
