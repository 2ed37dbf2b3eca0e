import { seal, unseal } from "../crypto/seal";
import type { PendingRequest } from "./authorization-request";
import { OAuthError } from "../protocol/errors";
import { getSealKey } from "../storage/keys";
import type { Stores } from "../storage/stores";

/**
 * A pending authorization request travelling through the login and consent forms as a hidden
 * field, sealed so that the browser can neither read nor alter it and no storage is needed
 * between the pages. It is bound to the browser's CSRF cookie and, on the consent page, to the
 * user who was shown it.
 */
export interface InteractionTicket {
  /** A valid request, or a refused one whose error waits for the sign-in (login stage only). */
  request: PendingRequest;
  /** The browser's CSRF token when the page was rendered. */
  csrf: string;
  /** The user shown the consent page (consent stage only). */
  sub?: string;
}

/** Time a user has to fill in the login or consent form. */
const TICKET_TTL = 15 * 60;

type SealedTicket = { t: InteractionTicket };

export async function sealTicket(stores: Stores, ticket: InteractionTicket): Promise<string> {
  return seal(await getSealKey(stores), "interaction", { t: ticket }, TICKET_TTL);
}

export async function openTicket(
  stores: Stores,
  sealed: string | undefined,
): Promise<InteractionTicket> {
  const opened = sealed
    ? await unseal<SealedTicket>(await getSealKey(stores), "interaction", sealed)
    : null;
  if (!opened || typeof opened.t !== "object" || opened.t === null) {
    throw new OAuthError(
      "invalid_request",
      "This sign-in form has expired or is invalid. Start again from the application.",
      { rendering: { kind: "page" } },
    );
  }
  return opened.t;
}
