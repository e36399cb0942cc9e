// Placeholder until the digest package lands: a bare digest is taken as is.
export interface DigestResult {
  subject: string;
  type: string;
  digest: string;
}
export async function digestSubject(subject: string): Promise<DigestResult> {
  if (/^sha256:[0-9a-f]{64}$/.test(subject)) return { subject, type: 'digest', digest: subject };
  throw Object.assign(new Error(`unsupported subject ${subject}`), {
    code: 'DIGEST_UNSUPPORTED',
    category: 'input',
  });
}
