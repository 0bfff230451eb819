"""Sealed checkpoint values open only with the secret that sealed them, and unchanged."""

from __future__ import annotations

from postcal.platforms.sealed import PREFIX, seal, unseal

URL = "https://open-upload.tiktokapis.com/video/?upload_id=7310&upload_token=tok-secret-part"
SECRET = "tt-client-secret-0002"


def test_a_sealed_value_opens_with_its_secret_and_hides_what_it_holds() -> None:
    sealed = seal(URL, SECRET)
    assert sealed.startswith(PREFIX)
    assert "tok-secret-part" not in sealed and "upload_id" not in sealed
    assert unseal(sealed, SECRET) == URL
    assert seal(URL, SECRET) != sealed  # a fresh IV each time: equal values do not show


def test_another_secret_does_not_open_it() -> None:
    assert unseal(seal(URL, SECRET), "another-secret-0003") is None


def test_an_altered_or_foreign_value_does_not_open() -> None:
    sealed = seal(URL, SECRET)
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    for altered in (flipped, sealed.removeprefix(PREFIX), PREFIX + "not base64 at all!", ""):
        assert unseal(altered, SECRET) is None, altered
