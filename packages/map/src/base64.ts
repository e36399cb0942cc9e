/** Standard padded base64 (RFC 4648 §4), strict: one implementation, @notarize/tlog's. */
export { encodeBase64, decodeBase64 } from '@notarize/tlog';
