import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import {
  IN_TOTO_PAYLOAD_TYPE,
  assertEnvelopeMatchesStatement,
  pae,
  signPayload,
  signStatement,
  verifyEntrySignatures,
  verifyEnvelope,
} from '../signing/dsse.ts';
import { withVerifiedSignatures } from '../signing/verify-entries.ts';
import {
  generateSigningKey,
  importPublicKey,
  importSigningKey,
  parseSigningAlgorithm,
  type SigningAlgorithm,
} from '../signing/keys.ts';
import { fromBase64, toBase64 } from '../signing/base64.ts';
import { canonicalize } from '../canonical-json.ts';
import type { DsseEnvelope } from '../entry.ts';
import { assert } from './fixtures.ts';

const ALGORITHMS: SigningAlgorithm[] = ['ed25519', 'ecdsa-p256'];

function statement() {
  return assert(1, 'ci', 'trusted', { reason: 'tests passed' }).entry.statement;
}

function flipByte(base64: string, at: number): string {
  const bytes = fromBase64(base64, 'test');
  bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ 0x01;
  return toBase64(bytes);
}

describe('PAE', () => {
  it('matches the DSSE protocol example', () => {
    const out = pae('http://example.com/HelloWorld', new TextEncoder().encode('hello world'));
    expect(new TextDecoder().decode(out)).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('counts bytes, not characters', () => {
    const out = pae('t', new TextEncoder().encode('é'));
    expect(new TextDecoder().decode(out)).toBe('DSSEv1 1 t 2 é');
  });
});

describe.each(ALGORITHMS)('DSSE with %s', (algorithm) => {
  it('signs a statement and verifies it with the PEM and the JWK public key', async () => {
    const pair = await generateSigningKey(algorithm);
    expect(pair.keyid).toMatch(/^[0-9a-f]{64}$/);
    expect(pair.privateJwk.kid).toBe(pair.keyid);
    const key = await importSigningKey(pair.privateKeyPem);
    expect(key.keyid).toBe(pair.keyid);
    const envelope = await signStatement(statement(), key);
    expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(new TextDecoder().decode(fromBase64(envelope.payload, 'p'))).toBe(
      canonicalize(statement()),
    );
    expect(envelope.signatures).toEqual([{ keyid: pair.keyid, sig: expect.any(String) }]);
    expect(await verifyEnvelope(envelope, [await importPublicKey(pair.publicKeyPem)])).toEqual([
      pair.keyid,
    ]);
    expect(await verifyEnvelope(envelope, [await importPublicKey(pair.publicJwk)])).toEqual([
      pair.keyid,
    ]);
    expect(
      await verifyEnvelope(envelope, [await importPublicKey(JSON.stringify(pair.publicJwk))]),
    ).toEqual([pair.keyid]);
  });

  it('imports a private JWK and derives the same key id', async () => {
    const pair = await generateSigningKey(algorithm);
    const key = await importSigningKey(pair.privateJwk);
    expect(key.keyid).toBe(pair.keyid);
    expect((await importPublicKey(pair.privateKeyPem)).keyid).toBe(pair.keyid);
  });

  it('computes the key id as SHA-256 of the SPKI DER', async () => {
    const pair = await generateSigningKey(algorithm);
    const der = createPublicKey(pair.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(pair.keyid).toBe(createHash('sha256').update(der).digest('hex'));
  });

  it('fails loudly when the payload was altered', async () => {
    const pair = await generateSigningKey(algorithm);
    const envelope = await signStatement(statement(), await importSigningKey(pair.privateKeyPem));
    const other = assert(1, 'ci', 'untrusted').entry.statement;
    const tampered = {
      ...envelope,
      payload: toBase64(new TextEncoder().encode(canonicalize(other))),
    };
    await expect(
      verifyEnvelope(tampered, [await importPublicKey(pair.publicKeyPem)]),
    ).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      category: 'verification',
    });
  });

  it('fails loudly when the signature was altered', async () => {
    const pair = await generateSigningKey(algorithm);
    const envelope = await signStatement(statement(), await importSigningKey(pair.privateKeyPem));
    const sig = envelope.signatures[0]!;
    for (const at of [0, 10, 40]) {
      const tampered: DsseEnvelope = {
        ...envelope,
        signatures: [{ ...sig, sig: flipByte(sig.sig, at) }],
      };
      await expect(
        verifyEnvelope(tampered, [await importPublicKey(pair.publicKeyPem)]),
      ).rejects.toMatchObject({
        code: 'SIGNATURE_INVALID',
      });
    }
  });

  it('fails loudly when the payload type was changed', async () => {
    const pair = await generateSigningKey(algorithm);
    const envelope = await signStatement(statement(), await importSigningKey(pair.privateKeyPem));
    await expect(
      verifyEnvelope({ ...envelope, payloadType: 'application/json' }, [
        await importPublicKey(pair.publicKeyPem),
      ]),
    ).rejects.toMatchObject({ code: 'ENVELOPE_INVALID', category: 'verification' });
  });

  it('ignores signatures by unknown keys, unless a signature is required', async () => {
    const signer = await generateSigningKey(algorithm);
    const stranger = await generateSigningKey(algorithm);
    const envelope = await signStatement(statement(), await importSigningKey(signer.privateKeyPem));
    const keys = [await importPublicKey(stranger.publicKeyPem)];
    expect(await verifyEnvelope(envelope, keys)).toEqual([]);
    await expect(verifyEnvelope(envelope, keys, { requireSignature: true })).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('tries every key for a signature without keyid', async () => {
    const pair = await generateSigningKey(algorithm);
    const other = await generateSigningKey(algorithm);
    const envelope = await signStatement(statement(), await importSigningKey(pair.privateKeyPem));
    const anonymous = { ...envelope, signatures: [{ sig: envelope.signatures[0]!.sig }] };
    const keys = [
      await importPublicKey(other.publicKeyPem),
      await importPublicKey(pair.publicKeyPem),
    ];
    expect(await verifyEnvelope(anonymous, keys)).toEqual([pair.keyid]);
  });
});

describe('DSSE with several signers and across implementations', () => {
  it('reports every key that verified', async () => {
    const ed = await generateSigningKey('ed25519');
    const ec = await generateSigningKey('ecdsa-p256');
    const envelope = await signStatement(statement(), [
      await importSigningKey(ed.privateKeyPem),
      await importSigningKey(ec.privateKeyPem),
    ]);
    const keys = [await importPublicKey(ec.publicKeyPem), await importPublicKey(ed.publicKeyPem)];
    expect(await verifyEnvelope(envelope, keys)).toEqual([ec.keyid, ed.keyid]);
  });

  it.each([
    ['ed25519', () => generateKeyPairSync('ed25519')],
    ['ecdsa-p256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ])('interoperates with OpenSSL (%s, DER ECDSA signatures)', async (_alg, make) => {
    const { privateKey, publicKey } = make();
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const payload = new TextEncoder().encode(canonicalize(statement()));
    const message = pae(IN_TOTO_PAYLOAD_TYPE, payload);
    const pub = await importPublicKey(publicPem);
    // OpenSSL signs, we verify.
    const foreign: DsseEnvelope = {
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      payload: toBase64(payload),
      signatures: [
        {
          keyid: pub.keyid,
          sig: toBase64(sign(_alg === 'ed25519' ? null : 'sha256', message, privateKey)),
        },
      ],
    };
    expect(await verifyEnvelope(foreign, [pub])).toEqual([pub.keyid]);
    // We sign, OpenSSL verifies.
    const ours = await signPayload(
      IN_TOTO_PAYLOAD_TYPE,
      payload,
      await importSigningKey(privatePem),
    );
    const ok = verify(
      _alg === 'ed25519' ? null : 'sha256',
      message,
      createPublicKey(publicPem),
      fromBase64(ours.signatures[0]!.sig, 's'),
    );
    expect(ok).toBe(true);
  });
});

describe('verifyEntrySignatures', () => {
  it('checks that the envelope signs the entry statement', async () => {
    const pair = await generateSigningKey('ed25519');
    const key = await importSigningKey(pair.privateKeyPem);
    const pub = await importPublicKey(pair.publicKeyPem);
    const indexed = assert(7, 'ci', 'trusted');
    const entry = { ...indexed.entry, envelope: await signStatement(indexed.entry.statement, key) };
    expect(await verifyEntrySignatures(entry, [pub])).toEqual([pair.keyid]);
    expect(await verifyEntrySignatures(indexed.entry, [pub])).toEqual([]);

    // A validly signed envelope of another statement, attached to this entry.
    const other = assert(8, 'ci', 'untrusted').entry.statement;
    const swapped = { ...indexed.entry, envelope: await signStatement(other, key) };
    await expect(verifyEntrySignatures(swapped, [pub])).rejects.toMatchObject({
      code: 'PAYLOAD_MISMATCH',
      category: 'verification',
    });
    expect(() => assertEnvelopeMatchesStatement(swapped.envelope, other)).not.toThrow();
  });
});

describe('key import errors', () => {
  it.each([
    [
      'an RSA key',
      () =>
        generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
          type: 'spki',
          format: 'pem',
        }),
      'KEY_UNSUPPORTED',
    ],
    [
      'a P-384 key',
      () =>
        generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
          type: 'spki',
          format: 'pem',
        }),
      'KEY_UNSUPPORTED',
    ],
    [
      'a SEC1 "EC PRIVATE KEY"',
      () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          type: 'sec1',
          format: 'pem',
        }),
      'KEY_UNSUPPORTED',
    ],
    ['text that is no key', () => 'hello', 'KEY_INVALID'],
    [
      'a PEM with a broken body',
      () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      'KEY_INVALID',
    ],
    ['broken JSON', () => '{"kty":', 'KEY_INVALID'],
    [
      'a JWK of another curve',
      () => JSON.stringify({ kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA' }),
      'KEY_UNSUPPORTED',
    ],
  ])('refuses %s with a clear input error', async (_what, material, code) => {
    await expect(importPublicKey(material() as string)).rejects.toMatchObject({
      code,
      category: 'input',
    });
  });

  it('asks for the private key when given a public one to sign with', async () => {
    const pair = await generateSigningKey('ed25519');
    await expect(importSigningKey(pair.publicKeyPem)).rejects.toThrow(/needs the private key/);
    await expect(importSigningKey(pair.publicJwk)).rejects.toThrow(/needs the private key/);
  });

  it('hints how to convert a SEC1 key', async () => {
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'sec1',
      format: 'pem',
    });
    await expect(importSigningKey(sec1 as string)).rejects.toThrow(/openssl pkcs8 -topk8/);
    // The same key as PKCS#8 works, and matches Node's own key id.
    const pkcs8 = createPrivateKey(sec1).export({ type: 'pkcs8', format: 'pem' }) as string;
    expect((await importSigningKey(pkcs8)).algorithm).toBe('ecdsa-p256');
  });

  it.each([
    ['ed25519', 'ed25519'],
    ['P256', 'ecdsa-p256'],
    ['es256', 'ecdsa-p256'],
  ])('parses the algorithm name %s', (text, alg) => {
    expect(parseSigningAlgorithm(text)).toBe(alg);
  });

  it('refuses an unsupported algorithm name', () => {
    expect(() => parseSigningAlgorithm('rsa')).toThrow(/ed25519 or ecdsa-p256/);
  });
});

describe('withVerifiedSignatures', () => {
  it('records which keys signed each entry and fails loudly on a tampered one', async () => {
    const pair = await generateSigningKey('ed25519');
    const key = await importSigningKey(pair.privateKeyPem);
    const pub = await importPublicKey(pair.publicKeyPem);
    const signed = assert(1, 'ci', 'trusted');
    signed.entry.envelope = await signStatement(signed.entry.statement, key);
    const unsigned = assert(2, 'qa', 'trusted');
    const out = await withVerifiedSignatures([signed, unsigned], [pub]);
    expect(out.map((e) => e.verifiedKeyIds)).toEqual([[pair.keyid], []]);

    const forged = assert(3, 'ci', 'untrusted');
    forged.entry.envelope = {
      ...signed.entry.envelope,
      payload: toBase64(new TextEncoder().encode(canonicalize(forged.entry.statement))),
    };
    await expect(withVerifiedSignatures([forged], [pub])).rejects.toThrow(/^entry 3: /);
  });
});
