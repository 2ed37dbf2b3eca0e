/** SHA-256, standard base64 (the encoding of a CSP hash-source, CSP3 §2.3.1). */
export async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}
