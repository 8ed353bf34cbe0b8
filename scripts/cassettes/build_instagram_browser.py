"""Build the HAR files of the Instagram ``browser`` backend under cassettes/instagram/browser/.

A browser's traffic is replayed from HAR files (``route_from_har``), not VCR cassettes. Each
file holds the profile page (a small HTML document whose script makes the data call the real
page makes) and that call's answer in Instagram's real shape: ``web_profile_info`` logged out
(the answers of ``build_instagram.py``, same posts), or the logged-in GraphQL timeline
(``xdt_api__v1__feed__user_timeline_graphql_connection``, posts in the v1 shape, as in
``../shared/fixtures/instagram/``). Run from the repository root:
``python -m scripts.cassettes.build_instagram_browser``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .build_instagram import PLEASE_WAIT, PUBLIC_NODES, URL, profile
from .build_tiktok import HTML, fetch_script, har_entry, write_har

ROOT = Path(__file__).resolve().parents[2] / "cassettes" / "instagram" / "browser"
PAGE = "https://www.instagram.com/{}/"
LOGIN = "https://www.instagram.com/accounts/login/?next=%2F{}%2F"
TIMELINE = ("https://www.instagram.com/graphql/query/?doc_id=9383802848352200&variables="
            "%7B%22username%22%3A%22{}%22%2C%22first%22%3A12%7D")
JSON = "application/json; charset=utf-8"
_V1_TYPES = {"GraphImage": 1, "GraphVideo": 2, "GraphSidecar": 8}


def page(handle: str, data_url: str | None) -> str:
    """The profile page: its title, and the script that asks for the account's data."""
    script = fetch_script(data_url) if data_url else ""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>@{handle} • '
            f'Instagram photos and videos</title></head><body><div id="mount"></div>{script}'
            "</body></html>")


def v1_item(node: dict[str, Any]) -> dict[str, Any]:
    """A web grid node (``build_instagram.node``) as the v1 item of the same post."""
    edges = node["edge_media_to_caption"]["edges"]
    item: dict[str, Any] = {
        "id": f"{node['id']}_51234567890",
        "code": node["shortcode"],
        "taken_at": node["taken_at_timestamp"],
        "media_type": _V1_TYPES[node["__typename"]],
        "product_type": node.get("product_type") or (
            "carousel_container" if node["__typename"] == "GraphSidecar" else "feed"),
        "caption": {"text": edges[0]["node"]["text"], "pk": "18094858634462348"}
        if edges else None,
        "like_count": node["edge_liked_by"]["count"],
        "comment_count": node["edge_media_to_comment"]["count"],
        "user": {"pk": "51234567890", "username": "lea.voyage"},
    }
    if node.get("pinned_for_users"):
        item["timeline_pinned_user_ids"] = [51234567890]
    return item


def timeline(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The logged-in GraphQL timeline answer for ``nodes``."""
    return {"data": {"xdt_api__v1__feed__user_timeline_graphql_connection": {
        "edges": [{"node": v1_item(node), "cursor": node["id"]} for node in nodes],
        "page_info": {"end_cursor": "3600000000000000000_51234567890", "has_next_page": True,
                      "has_previous_page": False, "start_cursor": None}}},
        "extensions": {"is_final": True}, "status": "ok"}


def visit(handle: str, answer: Any, *, status: int = 200,
          data_url: str | None = None) -> list[dict[str, Any]]:
    """The page of ``handle`` and its data call answered with ``answer`` (HTTP ``status``)."""
    url = data_url or URL.format(handle)
    return [har_entry(PAGE.format(handle), page(handle, url), HTML),
            har_entry(url, json.dumps(answer, ensure_ascii=False), JSON, status)]


def build() -> None:
    write_har(ROOT / "public.har", visit("lea.voyage", profile("lea.voyage", PUBLIC_NODES,
                                                               count=87)))
    write_har(ROOT / "private.har", visit("secret.garden", profile(
        "secret.garden", [], private=True, count=42)))
    write_har(ROOT / "not_found.har", visit("gone.account", {"data": {"user": None},
                                                             "status": "ok"}))
    write_har(ROOT / "rate_limited.har", visit("lea.voyage", PLEASE_WAIT, status=401))
    write_har(ROOT / "timeline.har", visit("lea.voyage", timeline(PUBLIC_NODES),
                                           data_url=TIMELINE.format("lea.voyage")))
    write_har(ROOT / "held_back.har", [har_entry(PAGE.format("lea.voyage"),
                                                 page("lea.voyage", None), HTML)])
    redirect = har_entry(PAGE.format("lea.voyage"), "", HTML, 302)
    redirect["response"]["headers"].append({"name": "location",
                                            "value": LOGIN.format("lea.voyage")})
    redirect["response"]["redirectURL"] = LOGIN.format("lea.voyage")
    write_har(ROOT / "login_redirect.har", [
        redirect, har_entry(LOGIN.format("lea.voyage"), page("login", None), HTML)])


if __name__ == "__main__":
    build()
