"""Cassette replay: secrets stripped, volatile parameters and handle case ignored, misses named."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from engine.errors import CassetteMiss
from engine.replay import cassette
from engine.testing.cassettes import Exchange, write_cassette


def test_handle_case_and_volatile_parameters_do_not_matter(tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.yaml", [
        Exchange("https://www.youtube.com/@Kurzgesagt", body="page", content_type="text/html"),
        Exchange("https://www.tiktok.com/api/creator/item_list/?secUid=S1&cursor=1", body={}),
    ])
    with cassette(path, record=False, volatile=("cursor",)), httpx.Client() as client:
        assert client.get("https://www.youtube.com/@kurzgesagt").text == "page"
        assert client.get("https://www.tiktok.com/api/creator/item_list/",
                          params={"secUid": "S1", "cursor": "99"}).status_code == 200


def test_a_request_missing_from_the_cassette_is_named(tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.yaml", [Exchange("https://x.test/a", body={})])
    with cassette(path, record=False), httpx.Client() as client, \
            pytest.raises(Exception) as caught:
        client.get("https://x.test/b")
    from engine.replay import find_cassette_miss

    assert isinstance(find_cassette_miss(caught.value), CassetteMiss)
    with pytest.raises(CassetteMiss, match="does not exist"), \
            cassette(tmp_path / "absent.yaml", record=False):
        pass
