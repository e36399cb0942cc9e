/** Who is calling, as authentication established it. Recorded in each entry's `identity`. */
export type PrincipalAuth = 'apikey' | 'oidc' | 'local';

export interface Principal {
  /** Identity name, e.g. `github:acme/widgets` or `alice`. */
  name: string;
  /** Role name; its permissions come from the role table. */
  role: string;
  auth: PrincipalAuth;
  /** Verified facts about the caller (OIDC claims; the API key's id), all strings. */
  claims: Record<string, string>;
}
