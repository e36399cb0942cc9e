#!/usr/bin/env python3
"""Independent verifier for notarize lookup-map proofs, written from docs/formats.md
("Lookup map (verifiable map)") only. Standard library only.

Input (a file argument, or stdin): a JSON document {"cases": [case, ...]}, each case
    {"name": str, "root": base64, "keys": [lookup key, ...],
     "values": {lookup key: value object or null (claimed absent)}, "proof": base64}
Output (stdout): {"results": [{"name": str, "ok": bool, "error": code or null}, ...]}
A case is ok when the proof is well formed, leads to the root, and proves exactly the claimed
values: each claimed value present with valueHash(canonical JSON), each null claim absent.
"""

import base64
import hashlib
import json
import sys

EMPTY = bytes(32)


class VerifyError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def b64decode_strict(text, what):
    """Standard padded base64, canonical only (re-encoding gives the same text)."""
    if not isinstance(text, str):
        raise VerifyError("MAP_INPUT_INVALID", what + ": not a string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise VerifyError("MAP_INPUT_INVALID", what + ": not base64")
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerifyError("MAP_INPUT_INVALID", what + ": not canonical base64")
    return raw


def map_key(lookup_key):
    # Lone surrogates cannot be encoded as UTF-8: encode() raises, as the format requires.
    try:
        data = lookup_key.encode("utf-8")
    except UnicodeEncodeError:
        raise VerifyError("MAP_INPUT_INVALID", "lookup key is not well-formed Unicode")
    return sha256(b"notarize/map/key/v1\n", data)


def bit(key, d):
    return (key[d >> 3] >> (7 - (d & 7))) & 1


def leaf_node(key, vh):
    return sha256(b"\x02", key, vh)


def inner_node(left, right):
    return sha256(b"\x03", left, right)


def is_index(x):
    return type(x) is int and 0 <= x <= 2**53 - 1


def utf16_key(s):
    return s.encode("utf-16-be", "surrogatepass")


def canonical_value(v):
    """Checks the value's shape and returns its RFC 8785 encoding (UTF-8 bytes)."""
    bad = lambda m: VerifyError("MAP_VALUE_INVALID", "value: " + m)
    if not isinstance(v, dict):
        raise bad("not an object")
    for k in v:
        if k not in ("n", "chain", "assert", "revoke"):
            raise bad("unknown member " + k)
    if not is_index(v.get("n")):
        raise bad("n")
    chain = v.get("chain")
    try:
        if len(b64decode_strict(chain, "chain")) != 32:
            raise bad("chain length")
    except VerifyError:
        raise bad("chain")
    if "assert" in v:
        pairs = v["assert"]
        if not isinstance(pairs, list) or not pairs:
            raise bad("assert must be a non-empty array")
        prev = None
        for p in pairs:
            if not isinstance(p, list) or len(p) != 2:
                raise bad("assert pair")
            name, index = p
            if not isinstance(name, str) or not is_index(index):
                raise bad("assert pair types")
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                raise bad("assert name not well-formed")
            if prev is not None and utf16_key(prev) >= utf16_key(name):
                raise bad("assert not sorted by name (UTF-16) or duplicate name")
            prev = name
    if "revoke" in v and not is_index(v["revoke"]):
        raise bad("revoke")
    # For integers and strings only, this is RFC 8785: sorted members (all ASCII names), no
    # white space, and Python escapes exactly '"', '\\' and U+0000..U+001F (lowercase \u00xx).
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def value_hash(value_bytes):
    return sha256(b"\x05", value_bytes)


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise VerifyError("MAP_PROOF_MALFORMED", "truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


def verify_proof(root, keys, proof):
    """Returns {map key: value hash or None} or raises VerifyError."""
    keys = sorted(set(keys))
    if not keys:
        raise VerifyError("MAP_INPUT_INVALID", "no keys")
    found = {k: None for k in keys}
    r = Reader(proof)

    def visit(d, K):
        tag = r.take(1)[0]
        if tag == 0x00:
            if d == 256:
                raise VerifyError("MAP_PROOF_MALFORMED", "inner node at depth 256")
            K0 = [k for k in K if bit(k, d) == 0]
            K1 = [k for k in K if bit(k, d) == 1]
            left = child(d + 1, K0)
            right = child(d + 1, K1)
            return inner_node(left, right)
        if tag == 0x01:
            k = r.take(32)
            v = r.take(32)
            for q in K:
                if any(bit(k, i) != bit(q, i) for i in range(d)):
                    raise VerifyError("MAP_PROOF_MALFORMED", "leaf off its position")
            for q in K:
                if q == k:
                    found[q] = v
            return leaf_node(k, v)
        if tag == 0x02:
            return EMPTY
        raise VerifyError("MAP_PROOF_MALFORMED", "bad tag %d where keys are requested" % tag)

    def child(d, K):
        if K:
            return visit(d, K)
        tag = r.take(1)[0]
        if tag == 0x03:
            return r.take(32)
        if tag == 0x02:
            return EMPTY
        raise VerifyError("MAP_PROOF_MALFORMED", "bad tag %d for an unrequested subtree" % tag)

    h = visit(0, keys)
    if r.pos != len(proof):
        raise VerifyError("MAP_PROOF_MALFORMED", "trailing bytes")
    if h != root:
        raise VerifyError("MAP_ROOT_MISMATCH", "root mismatch")
    return found


def check_case(case):
    root = b64decode_strict(case["root"], "root")
    if len(root) != 32:
        raise VerifyError("MAP_INPUT_INVALID", "root must be 32 bytes")
    proof = b64decode_strict(case["proof"], "proof")
    lookup_keys = case["keys"]
    values = case["values"]
    if set(values) != set(lookup_keys):
        raise VerifyError("MAP_INPUT_INVALID", "values must claim exactly the requested keys")
    expected = {}
    for lk in lookup_keys:
        v = values[lk]
        expected[map_key(lk)] = None if v is None else value_hash(canonical_value(v))
    found = verify_proof(root, list(expected), proof)
    for mk, want in expected.items():
        if found[mk] != want:
            raise VerifyError("MAP_VALUE_MISMATCH", "proved value differs from the claim")


def main():
    text = open(sys.argv[1], encoding="utf-8").read() if len(sys.argv) > 1 else sys.stdin.read()
    doc = json.loads(text)
    results = []
    for case in doc["cases"]:
        try:
            check_case(case)
            results.append({"name": case.get("name"), "ok": True, "error": None})
        except VerifyError as e:
            results.append({"name": case.get("name"), "ok": False, "error": e.code})
    json.dump({"results": results}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
