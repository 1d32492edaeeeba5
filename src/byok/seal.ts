/**
 * Envelope encryption of a wallet's own provider keys (BYOK). Each key gets a fresh 256-bit data
 * key; the provider key is encrypted under it with AES-GCM, and the data key is wrapped (AES-GCM)
 * under the key-encryption key derived from the worker secret BYOK_SECRET. Both layers bind the
 * wallet and the provider as additional data, so a sealed blob moved to another wallet or provider
 * does not open. Only the sealed text is ever stored; the key is never shown again.
 *
 * Sealed format: `v1.<iv of wrap>.<wrapped data key>.<iv of key>.<encrypted key>` (base64url).
 */
const VERSION = "v1";
const KEK_LABEL = "edge-llm-gateway byok kek v1";

const b64 = (bytes: Uint8Array): string => {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const unb64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const utf8 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(new TextEncoder().encode(text));

const keks = new Map<string, Promise<CryptoKey>>();

/** The key-encryption key: HKDF-SHA-256 of the secret, imported once per isolate. */
function kek(secret: string): Promise<CryptoKey> {
  let k = keks.get(secret);
  if (!k) {
    k = crypto.subtle.importKey("raw", utf8(secret), "HKDF", false, ["deriveKey"]).then((base) =>
      crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: utf8(KEK_LABEL) }, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]));
    keks.set(secret, k);
  }
  return k;
}

const aad = (walletId: string, provider: string) => utf8(`${walletId}\n${provider}`);

export async function sealProviderKey(secret: string, walletId: string, provider: string, plaintext: string): Promise<string> {
  const data = { name: "AES-GCM" as const, additionalData: aad(walletId, provider) };
  const dataKeyBytes = crypto.getRandomValues(new Uint8Array(32));
  const dataKey = await crypto.subtle.importKey("raw", dataKeyBytes, "AES-GCM", false, ["encrypt"]);
  const keyIv = crypto.getRandomValues(new Uint8Array(12));
  const wrapIv = crypto.getRandomValues(new Uint8Array(12));
  const encrypted = new Uint8Array(await crypto.subtle.encrypt({ ...data, iv: keyIv }, dataKey, utf8(plaintext)));
  const wrapped = new Uint8Array(await crypto.subtle.encrypt({ ...data, iv: wrapIv }, await kek(secret), dataKeyBytes));
  dataKeyBytes.fill(0);
  return [VERSION, b64(wrapIv), b64(wrapped), b64(keyIv), b64(encrypted)].join(".");
}

/** The provider key, or null when the blob does not open (another secret, wallet or provider, or tampered). */
export async function openProviderKey(secret: string, walletId: string, provider: string, sealed: string): Promise<string | null> {
  const [version, wrapIv, wrapped, keyIv, encrypted] = sealed.split(".");
  if (version !== VERSION || !wrapIv || !wrapped || !keyIv || !encrypted) return null;
  const additionalData = aad(walletId, provider);
  try {
    const dataKeyBytes = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(wrapIv), additionalData }, await kek(secret), unb64(wrapped));
    const dataKey = await crypto.subtle.importKey("raw", dataKeyBytes, "AES-GCM", false, ["decrypt"]);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(keyIv), additionalData }, dataKey, unb64(encrypted));
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
