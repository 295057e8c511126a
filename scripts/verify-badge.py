#!/usr/bin/env python3
"""Verifies an Open Badges 3.0 credential issued by the platform, independently of it.

Needs only PyJWT and cryptography (`scripts/ensure-tools.sh` installs them into .tools/venv).

    verify-badge.py BADGE.jwt --jwks JWKS [--status-list STATUS_LIST]

BADGE.jwt     the downloaded credential (a VC-JWT), a file path or "-" for standard input.
--jwks        the region's published keys: a file (offline) or the URL
              https://<platform>/api/v1/regions/<region>/jwks.json. This is the trust anchor: the
              key named in the credential's header must be in it.
--status-list the region's revocation list (a VC-JWT): a file (offline); by default it is
              fetched from the credential's credentialStatus.statusListCredential.

Checks: the EdDSA (Ed25519) signature with the published key; `nbf` / `exp`; the credential's
shape (contexts, types, issuer = `iss`); the status list's own signature, issuer, validity and
the credential's bit in it.

Prints a JSON report and exits 0 when the credential is valid, 1 when it is revoked, 2 when it
does not verify (a wrong signature, an unknown key, a malformed credential or list).
"""

import argparse
import base64
import gzip
import json
import sys
import urllib.request

import jwt

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"


class Invalid(Exception):
    pass


def read(source):
    if source == "-":
        return sys.stdin.read()
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as res:  # noqa: S310 (a URL given by the user)
            return res.read().decode("utf-8")
    with open(source, encoding="utf-8") as f:
        return f.read()


def key_for(token, jwks):
    header = jwt.get_unverified_header(token)
    if header.get("alg") != "EdDSA":
        raise Invalid(f"unexpected algorithm {header.get('alg')!r}")
    kid = header.get("kid")
    for k in jwks.get("keys", []):
        if k.get("kid") == kid and k.get("kty") == "OKP" and k.get("crv") == "Ed25519":
            return jwt.PyJWK(k, algorithm="EdDSA"), header
    raise Invalid(f"the key {kid!r} is not among the published keys")


def decode(token, jwks):
    key, header = key_for(token, jwks)
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=["EdDSA"],
            options={"require": ["iss", "nbf"], "verify_aud": False},
        )
    except jwt.InvalidTokenError as e:
        raise Invalid(f"the signature or the time claims do not verify: {e}") from e
    return claims, header


def check_credential(claims, header):
    if header.get("typ") != "vc+jwt":
        raise Invalid(f"unexpected typ {header.get('typ')!r}")
    contexts = claims.get("@context") or []
    if not contexts or contexts[0] != VC_CONTEXT:
        raise Invalid("the first @context is not the VC 2.0 context")
    if not any(str(c).startswith(OB_CONTEXT_PREFIX) for c in contexts):
        raise Invalid("the Open Badges 3.0 context is missing")
    types = claims.get("type") or []
    if "VerifiableCredential" not in types or "OpenBadgeCredential" not in types:
        raise Invalid(f"unexpected type {types!r}")
    issuer = claims.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != claims["iss"]:
        raise Invalid("issuer.id and iss differ")
    achievement = (claims.get("credentialSubject") or {}).get("achievement") or {}
    if not achievement.get("name"):
        raise Invalid("the achievement has no name")
    return issuer_id


def bit(encoded, index):
    if not encoded.startswith("u"):
        raise Invalid("the encoded list is not multibase base64url")
    raw = encoded[1:]
    data = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    if len(data) * 8 < 131072:
        raise Invalid("the status list is shorter than 131,072 bits")
    if index >= len(data) * 8:
        raise Invalid("the status index is outside the list")
    return (data[index // 8] >> (7 - index % 8)) & 1


def check_status(claims, issuer_id, jwks, status_source):
    entry = claims.get("credentialStatus")
    if entry is None:
        return None
    if entry.get("type") != "BitstringStatusListEntry" or entry.get("statusPurpose") != "revocation":
        raise Invalid(f"unsupported credentialStatus {entry!r}")
    index = int(entry["statusListIndex"])
    list_token = read(status_source or entry["statusListCredential"]).strip()
    list_claims, _ = decode(list_token, jwks)
    if list_claims.get("iss") != issuer_id or list_claims.get("issuer") != issuer_id:
        raise Invalid("the status list was issued by someone else")
    if list_claims.get("id") != entry["statusListCredential"]:
        raise Invalid("the status list is not the one the credential names")
    if "BitstringStatusListCredential" not in (list_claims.get("type") or []):
        raise Invalid("not a Bitstring Status List credential")
    subject = list_claims.get("credentialSubject") or {}
    if subject.get("statusPurpose") != "revocation":
        raise Invalid("the status list is not a revocation list")
    return bit(subject["encodedList"], index)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("badge")
    parser.add_argument("--jwks", required=True)
    parser.add_argument("--status-list")
    args = parser.parse_args()
    report = {"valid": False}
    try:
        jwks = json.loads(read(args.jwks))
        token = read(args.badge).strip()
        claims, header = decode(token, jwks)
        issuer_id = check_credential(claims, header)
        report.update(
            {
                "id": claims.get("id"),
                "issuer": issuer_id,
                "achievement": claims["credentialSubject"]["achievement"]["name"],
                "kid": header.get("kid"),
            }
        )
        revoked = check_status(claims, issuer_id, jwks, args.status_list)
        report["revoked"] = bool(revoked)
        report["valid"] = not revoked
        print(json.dumps(report, ensure_ascii=False))
        return 1 if revoked else 0
    except (Invalid, ValueError, KeyError, OSError, jwt.PyJWTError) as e:
        report["error"] = str(e)
        print(json.dumps(report, ensure_ascii=False))
        return 2


if __name__ == "__main__":
    sys.exit(main())
