// The identity a test asks the OAuth stand-in for (type only: shared by oauth.ts and the tests).

/** Sent as base64url JSON in `identity` on the authorize URL (README.md, "OAuth"). */
export interface Identity {
  sub: string;
  email: string;
  /** Default true. */
  email_verified?: boolean;
  name?: string;
  /** GitHub: the /user/emails list (default: `email` as the only, primary address). */
  emails?: { email: string; primary: boolean; verified: boolean }[];
  /** GitHub: /user's public `email` (default null). */
  public_email?: string | null;
  /** Google: claims that override the id_token's (e.g. aud, iss, nonce, exp), to test rejection. */
  claims?: Record<string, unknown>;
  /** Google: sign the id_token with a key that is not in the JWKS. */
  foreign_key?: boolean;
}
