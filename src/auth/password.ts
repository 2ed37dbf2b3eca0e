// OWNER: helper A. PBKDF2-SHA256 through WebCrypto, parameters stored beside each hash.
export interface PasswordHash {
  alg: "PBKDF2-SHA256";
  iterations: number;
  /** base64url */
  salt: string;
  /** base64url */
  hash: string;
}
