import type { Messages } from "./messages";

/** English: the default language, and the one every other language is checked against. */
export const en: Messages = {
  tag: "en",
  documentTitle: (page, brand) => `${page} – ${brand}`,
  login: {
    title: "Sign in",
    heading: (client) => <>Sign in to continue to {client}</>,
    username: "Username",
    password: "Password",
    submit: "Sign in",
    errors: {
      invalidCredentials: "Invalid username or password.",
      tooManyAttempts: "Too many failed sign-in attempts. Try again later.",
    },
  },
  consent: {
    title: "Allow access",
    heading: (client) => <>{client} wants to access your account</>,
    signedInAs: (user) => <>Signed in as {user}</>,
    asksFor: "It asks for:",
    asksForNothing: "It asks for no specific permissions.",
    resources: "For use with these services:",
    keepsAccess: (client) => (
      <>
        {client} will keep this access while you are not using it, until the access expires or is
        revoked.
      </>
    ),
    confirmEveryTime: (client, brand) => (
      <>
        This is an app on your device. {brand} cannot verify which app is asking, so you are asked
        each time. Allow only if you have just started signing in to {client} yourself.
      </>
    ),
    clientHost: (host) => (
      <>
        This application is identified by {host}, which publishes its details; its name is its own
        claim. You are asked each time.
      </>
    ),
    runsLocally: (client, host) => (
      <>
        This app runs on your own computer, so any program on it could claim to be {client} from{" "}
        {host}. Allow only if you have just started signing in to it yourself.
      </>
    ),
    clientUri: (uri) => <>Application website: {uri}</>,
    selfRegistered: (brand) => (
      <>
        This application registered itself with {brand}: its name and website are its own claims,
        not checked by anyone.
      </>
    ),
    redirect: (origin) => <>Whichever you choose, you will then be sent to {origin}.</>,
    allow: "Allow",
    deny: "Deny",
    scopes: {
      openid: "Confirm your identity",
      profile: "Your name",
      email: "Your email address",
      address: "Your postal address",
      phone: "Your phone number",
      offline_access: "Keep access while you are not using the application",
    },
  },
  error: {
    title: "Error",
    summaries: {
      invalid_request: "The sign-in request is not valid.",
      invalid_client: "The application that sent you here is not known.",
      unauthorized_client: "The application that sent you here may not sign you in this way.",
      invalid_redirect_uri: "The application asked to send you to an address it has not registered.",
      unsupported_response_type: "The application asked for a kind of sign-in that is not supported.",
      invalid_scope: "The application asked for permissions that are not available.",
      invalid_target: "The application asked for access to a service that is not available.",
      access_denied: "Access was denied.",
      login_required: "You need to sign in.",
      consent_required: "Your permission is needed.",
      interaction_required: "Your input is needed.",
      temporarily_unavailable: "Sign-in is temporarily unavailable.",
      server_error: "Something went wrong on our side.",
    },
    summary: "The request could not be completed.",
    code: (code) => <>Error code: {code}</>,
    startAgain: "You can close this page and start again from the application.",
  },
  logout: {
    title: "Sign out",
    heading: (brand) => `Sign out of ${brand}?`,
    clientAsks: (client) => <>{client} asks to sign you out.</>,
    consequence: (brand) =>
      `You will need to sign in again to use applications that sign in with ${brand}.`,
    submit: "Sign out",
    signedOutTitle: "Signed out",
    signedOutHeading: "You are signed out",
    closePage: "You can close this page.",
  },
};
