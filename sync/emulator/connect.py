"""Pointing gspread at the emulator: Google's API hosts are sent to it, every other host is
refused (fail closed), so a test or a trial run can never reach the real service by mistake."""

from __future__ import annotations

from urllib.parse import urlparse

GOOGLE_API_HOSTS = ("sheets.googleapis.com", "www.googleapis.com", "oauth2.googleapis.com")


def google_adapter(base_url: str):
    """A requests adapter for https:// that rewrites Google's API hosts to `base_url`."""
    from requests.adapters import HTTPAdapter

    class Redirect(HTTPAdapter):
        def send(self, request, **kwargs):
            parsed = urlparse(request.url)
            if parsed.hostname not in GOOGLE_API_HOSTS:
                raise ConnectionError(f"refused: {parsed.hostname} is not Google")
            request.url = base_url + request.url.split(parsed.netloc, 1)[1]
            return super().send(request, **kwargs)

    return Redirect(max_retries=0)


def emulator_session(base_url: str, account: str):
    """A session acting as `account` without signing in (bearer "fake-token:<account>"), the way
    Google's own emulators take any caller on localhost."""
    import requests

    s = requests.Session()
    s.mount("https://", google_adapter(base_url))
    s.headers["Authorization"] = f"Bearer fake-token:{account}"
    return s
