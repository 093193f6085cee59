"""Signing in to the emulator as google-auth signs in to Google: service-account keys (a JWT
signed with the key, RFC 7523) and OAuth refresh tokens, each exchanged at /token for a bearer
token that expires."""

from __future__ import annotations

import json
import time
from typing import Any


class SignIn:
    """Mixed into the emulated service: `keys`, `oauth_users`, `revoked`, `tokens`, `rng`,
    `lock`, `token_requests` and `token_lifetime` come from it."""

    keys: dict[str, Any]
    oauth_users: dict[str, str]
    revoked: set[str]
    tokens: dict[str, tuple[str, float]]
    token_requests: list[str]
    token_lifetime: float
    rng: Any
    lock: Any

    def new_service_account(self, email: str, token_uri: str) -> dict:
        """A service-account key file's contents, as Google Cloud issues it, for `email`."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[email] = key.public_key()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "type": "service_account",
            "project_id": "thidua-emulator",
            "private_key_id": f"{abs(hash(email)) % 10**12:012d}",
            "private_key": pem,
            "client_email": email,
            "client_id": str(abs(hash(email)) % 10**18),
            "token_uri": token_uri,
        }

    def new_oauth_user(self, email: str, token_uri: str) -> dict:
        """An authorized_user.json as gspread.oauth() stores it after the browser sign-in."""
        refresh = f"1//{self.rng.getrandbits(96):024x}"
        self.oauth_users[refresh] = email
        return {
            "type": "authorized_user",
            "client_id": "thidua-emulator.apps.googleusercontent.com",
            "client_secret": "emulator-secret",
            "refresh_token": refresh,
            "token_uri": token_uri,
        }

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def sign_in(self, form: dict, token_uri: str) -> tuple[int, dict]:
        import base64

        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        def refuse(why: str) -> tuple[int, dict]:
            return 400, {"error": "invalid_grant", "error_description": why}

        def b64(part: str) -> bytes:
            return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

        if form.get("grant_type") == "refresh_token":
            # OAuth refresh (RFC 6749 section 6); a revoked or unknown refresh token is
            # invalid_grant "Token has been expired or revoked." (Google's OAuth errors)
            refresh = str(form.get("refresh_token", ""))
            email = self.oauth_users.get(refresh)
            if email is None or refresh in self.revoked:
                return refuse("Token has been expired or revoked.")
            return 200, self._mint(email)
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
        try:
            head, claims, signature = str(form.get("assertion", "")).split(".")
            payload = json.loads(b64(claims))
        except ValueError:
            return refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
        email = payload.get("iss", "")
        key = self.keys.get(email)
        if key is None or email in self.revoked:
            return refuse("Invalid JWT Signature.")
        try:
            key.verify(b64(signature), f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return refuse("Invalid JWT Signature.")
        # google-auth always names Google's own token endpoint as the audience, whatever the
        # key's token_uri says (google/oauth2/service_account.py, _DEFAULT_TOKEN_URI)
        audiences = (token_uri, "https://oauth2.googleapis.com/token")
        if payload.get("aud") not in audiences or float(payload.get("exp", 0)) < time.time():
            return refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
        return 200, self._mint(email)

    def _mint(self, email: str) -> dict:
        token = f"ya29.{self.rng.getrandbits(128):032x}"
        with self.lock:
            self.tokens[token] = (email, time.time() + self.token_lifetime)
            self.token_requests.append(email)
        return {"access_token": token, "expires_in": int(self.token_lifetime), "token_type": "Bearer"}

    def account_of(self, bearer: str) -> str | None:
        """The signed-in account, "" for no credential, None for a token Google would not take."""
        if not bearer:
            return ""
        if bearer.startswith("fake-token:"):
            return bearer.removeprefix("fake-token:")
        email, until = self.tokens.get(bearer, ("", 0.0))
        return email if email and until > time.time() else None
