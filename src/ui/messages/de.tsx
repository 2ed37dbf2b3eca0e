import type { Messages } from "./messages";

/** German (Sie-Form, as sign-in pages of German services address their users). */
export const de: Messages = {
  tag: "de",
  documentTitle: (page, brand) => `${page} – ${brand}`,
  login: {
    title: "Anmelden",
    heading: (client) => <>Melden Sie sich an, um mit {client} fortzufahren</>,
    username: "Benutzername",
    password: "Passwort",
    submit: "Anmelden",
    errors: {
      invalidCredentials: "Benutzername oder Passwort ist falsch.",
      tooManyAttempts: "Zu viele fehlgeschlagene Anmeldeversuche. Versuchen Sie es später erneut.",
    },
  },
  consent: {
    title: "Zugriff erlauben",
    heading: (client) => <>{client} möchte auf Ihr Konto zugreifen</>,
    signedInAs: (user) => <>Angemeldet als {user}</>,
    asksFor: "Angefragt wird:",
    asksForNothing: "Es werden keine besonderen Berechtigungen angefragt.",
    resources: "Zur Verwendung mit diesen Diensten:",
    keepsAccess: (client) => (
      <>
        {client} behält diesen Zugriff auch, während Sie die Anwendung nicht verwenden, bis er
        abläuft oder widerrufen wird.
      </>
    ),
    confirmEveryTime: (client, brand) => (
      <>
        Dies ist eine App auf Ihrem Gerät. {brand} kann nicht prüfen, welche App anfragt, deshalb
        werden Sie jedes Mal gefragt. Erlauben Sie den Zugriff nur, wenn Sie die Anmeldung bei{" "}
        {client} gerade selbst begonnen haben.
      </>
    ),
    clientHost: (host) => (
      <>
        Diese Anwendung wird durch {host} ausgewiesen, wo ihre Angaben veröffentlicht sind; ihr
        Name ist eine eigene Angabe. Sie werden jedes Mal gefragt.
      </>
    ),
    runsLocally: (client, host) => (
      <>
        Diese App läuft auf Ihrem eigenen Computer, daher könnte sich jedes Programm darauf als{" "}
        {client} von {host} ausgeben. Erlauben Sie den Zugriff nur, wenn Sie die Anmeldung gerade
        selbst begonnen haben.
      </>
    ),
    clientUri: (uri) => <>Website der Anwendung: {uri}</>,
    selfRegistered: (brand) => (
      <>
        Diese Anwendung hat sich selbst bei {brand} registriert: Name und Website sind ihre eigenen,
        von niemandem geprüften Angaben.
      </>
    ),
    redirect: (origin) => <>Wie auch immer Sie sich entscheiden, Sie werden danach zu {origin} weitergeleitet.</>,
    allow: "Erlauben",
    deny: "Ablehnen",
    scopes: {
      openid: "Ihre Identität bestätigen",
      profile: "Ihr Name",
      email: "Ihre E-Mail-Adresse",
      address: "Ihre Postanschrift",
      phone: "Ihre Telefonnummer",
      offline_access: "Zugriff behalten, während Sie die Anwendung nicht verwenden",
    },
  },
  error: {
    title: "Fehler",
    summaries: {
      invalid_request: "Die Anmeldeanfrage ist ungültig.",
      invalid_client: "Die Anwendung, die Sie hierher geschickt hat, ist nicht bekannt.",
      unauthorized_client: "Die Anwendung, die Sie hierher geschickt hat, darf Sie nicht auf diese Weise anmelden.",
      invalid_redirect_uri:
        "Die Anwendung wollte Sie an eine Adresse weiterleiten, die sie nicht registriert hat.",
      unsupported_response_type: "Die Anwendung hat eine Art der Anmeldung angefragt, die nicht unterstützt wird.",
      invalid_scope: "Die Anwendung hat Berechtigungen angefragt, die nicht verfügbar sind.",
      invalid_target: "Die Anwendung hat Zugriff auf einen Dienst angefragt, der nicht verfügbar ist.",
      access_denied: "Der Zugriff wurde verweigert.",
      login_required: "Sie müssen sich anmelden.",
      consent_required: "Ihre Zustimmung ist erforderlich.",
      interaction_required: "Ihre Eingabe ist erforderlich.",
      temporarily_unavailable: "Die Anmeldung ist vorübergehend nicht möglich.",
      server_error: "Bei uns ist etwas schiefgelaufen.",
    },
    summary: "Die Anfrage konnte nicht abgeschlossen werden.",
    code: (code) => <>Fehlercode: {code}</>,
    startAgain: "Sie können diese Seite schließen und in der Anwendung neu beginnen.",
  },
  logout: {
    title: "Abmelden",
    heading: (brand) => `Von ${brand} abmelden?`,
    clientAsks: (client) => <>{client} möchte Sie abmelden.</>,
    consequence: (brand) =>
      `Sie müssen sich erneut anmelden, um Anwendungen zu verwenden, die sich über ${brand} anmelden.`,
    submit: "Abmelden",
    signedOutTitle: "Abgemeldet",
    signedOutHeading: "Sie sind abgemeldet",
    closePage: "Sie können diese Seite schließen.",
  },
};
