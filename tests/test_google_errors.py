"""Google's errors read once (GoogleAPIError) and said as one coded refusal each: the bodies are
Google's shapes (GOOGLE-SHEETS-NOTES.md, "What Google answers"), as real requests.Responses."""

from __future__ import annotations

import json

import pytest
import requests

from sync.google.errors import GoogleAPIError, refusal


def answer(status: int, error: dict) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"error": {"code": status, **error}}).encode()
    return response


@pytest.mark.parametrize("message", ["Unable to parse range: 'T99'!A1:E2000", "unable to parse range: T99"])
def test_a_missing_tab_is_recognised_whatever_the_case(message):
    err = GoogleAPIError(answer(400, {"message": message, "status": "INVALID_ARGUMENT"}))
    assert err.missing_range and refusal(err, "Đọc", "").code == "google.mat_tab"


def test_a_missing_range_is_a_400_only():
    err = GoogleAPIError(answer(500, {"message": "Unable to parse range (internal)", "status": "INTERNAL"}))
    assert not err.missing_range and refusal(err, "Đọc", "").code == "google.may_chu_loi"


@pytest.mark.parametrize(
    "status, error, code",
    [
        (403, {"message": "x", "errors": [{"reason": "userRateLimitExceeded", "message": "x"}]}, "google.han_muc"),
        (403, {"message": "x", "details": [{"reason": "RATE_LIMIT_EXCEEDED"}]}, "google.han_muc"),
        (403, {"message": "x", "errors": [{"reason": "accessNotConfigured", "message": "x"}]}, "google.api_chua_bat"),
        (
            403,
            {"message": "x", "errors": [{"reason": "storageQuotaExceeded", "message": "x"}]},
            "google.het_dung_luong",
        ),
        (
            403,
            {"message": "The caller does not have permission", "status": "PERMISSION_DENIED"},
            "google.khong_co_quyen",
        ),
        (404, {"message": "Requested entity was not found.", "status": "NOT_FOUND"}, "google.khong_tim_thay"),
        (401, {"message": "x", "status": "UNAUTHENTICATED"}, "google.het_han"),
        (429, {"message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}, "google.han_muc"),
        (400, {"message": "You are trying to edit a protected cell or object."}, "google.bi_bao_ve"),
        (503, {"message": "The service is currently unavailable.", "status": "UNAVAILABLE"}, "google.may_chu_loi"),
        (400, {"message": "Invalid requests[0].addSheet: bad", "status": "INVALID_ARGUMENT"}, "google.tu_choi"),
    ],
)
def test_each_google_error_is_one_coded_refusal(status, error, code):
    assert refusal(GoogleAPIError(answer(status, error)), "Gửi báo cáo T01", "t01@gmail.com").code == code


def test_a_rate_limit_is_a_429_or_drives_rate_limit_403_only():
    quota = GoogleAPIError(answer(429, {"message": "q", "status": "RESOURCE_EXHAUSTED"}))
    drive = GoogleAPIError(answer(403, {"message": "r", "errors": [{"reason": "rateLimitExceeded", "message": "r"}]}))
    denied = GoogleAPIError(answer(403, {"message": "no", "status": "PERMISSION_DENIED"}))
    assert quota.rate_limited and drive.rate_limited and not denied.rate_limited
    assert quota.rpc_status == "RESOURCE_EXHAUSTED" and drive.reasons == {"rateLimitExceeded"}


def test_a_taken_claim_names_its_request_in_the_batch():
    taken = "Invalid requests[2].createDeveloperMetadata: Developer metadata with id 5 already exists."
    assert GoogleAPIError(answer(400, {"message": taken})).collision == 2
    other = "Invalid requests[0].addSheet: A sheet with the name already exists."
    assert GoogleAPIError(answer(400, {"message": other})).collision is None


def test_an_error_that_is_not_json_still_has_its_status():
    response = requests.Response()
    response.status_code = 502
    response._content = b"<html>Bad Gateway</html>"
    err = GoogleAPIError(response)
    assert err.status == 502 and refusal(err, "Đọc", "").code == "google.may_chu_loi"
