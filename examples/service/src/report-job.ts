/** The service's work: read the reports from the example API with the service's own token. */
import type { ServiceTokens } from "./service-tokens";

export interface ReportSummary {
  count: number;
  titles: string[];
}

// #region call
export async function nightlyReport(tokens: ServiceTokens, api: string): Promise<ReportSummary> {
  let response = await getReports(api, await tokens.get());
  // RFC 6750 §3.1: invalid_token means this token is done (expired early, keys rotated);
  // a fresh one may work. Anything else (insufficient_scope, a 5xx) would not change.
  if (response.status === 401) {
    tokens.forget();
    response = await getReports(api, await tokens.get());
  }
  if (!response.ok) {
    const challenge = response.headers.get("WWW-Authenticate") ?? "";
    throw new Error(`GET ${api}/reports answered ${response.status} ${challenge}`.trim());
  }
  const { reports } = await response.json<{ reports: { title: string }[] }>();
  return { count: reports.length, titles: reports.map((r) => r.title) };
}

function getReports(api: string, accessToken: string): Promise<Response> {
  return fetch(`${api}/reports`, { headers: { Authorization: `Bearer ${accessToken}` } });
}
// #endregion
