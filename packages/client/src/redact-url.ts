/**
 * Ledger locations as they are stored (the state file's pins) and shown (notices, errors, job
 * summaries): without the user and password a URL may carry. They were never sent to the service
 * (an API key goes in NOTARIZE_TOKEN), so dropping them changes nothing but what leaks.
 */
export function withoutCredentials(location: string): string {
  if (!/^https?:\/\//i.test(location)) return location;
  try {
    const url = new URL(location);
    if (url.username === '' && url.password === '') return location;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    // Not a URL (the caller reports that): still never echo what looks like user:password@.
    return location.replace(/^(https?:\/\/)[^/?#]*@/i, '$1');
  }
}
