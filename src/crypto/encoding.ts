import { base64url } from "jose";

const encoder = new TextEncoder();

export function utf8(s: string): Uint8Array<ArrayBuffer> {
  // workerd's TextEncoder always allocates a fresh ArrayBuffer; the type is just wider.
  return encoder.encode(s) as Uint8Array<ArrayBuffer>;
}

export const b64u = {
  encode: (bytes: Uint8Array | string): string => base64url.encode(bytes),
  decode: (s: string): Uint8Array => base64url.decode(s),
};
