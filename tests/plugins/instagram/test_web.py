"""Instagram's ``web`` backend: one request, both post shapes, every refusal mapped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.models import AccountStatus, PostKind
from engine.testing.contract import replay_snapshot

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "instagram" / "web"


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status = main(["check", "instagram", *args, "--json"])
    out = capsys.readouterr().out
    return status, json.loads(out) if out else {}


def test_public_account_verdicts_in_one_request(capsys: pytest.CaptureFixture[str]) -> None:
    status, result = check(capsys, "lea.voyage", "--hashtag", "summer2025", "--since",
                           "2025-06-01", "--cassette", str(CASSETTES / "public.yaml"))
    assert status == 0
    assert result["status"] == "ok" and result["backend"] == "web" and result["public"] is True
    assert result["requests"] == 1
    verdicts = {post["id"]: post["verdict"] for post in result["posts"]}
    assert verdicts == {
        "DPin0ld2023": "hashtag_missing",
        "DMatch0001a": "matched",
        "DMatch0002b": "matched",
        "DReel000003": "matched",
        "DNear000004": "hashtag_near_miss",
        "DNear000005": "hashtag_near_miss",
        "DExtra00006": "hashtag_near_miss",
        "DVideo00007": "hashtag_missing",
        "DEmpty00008": "hashtag_missing",
        "DNoTag00009": "hashtag_missing",
        "DOther00010": "hashtag_missing",
        "DMatch0011c": "before_window",
    }
    assert result["matched"] == 3
    first = result["posts"][0]  # newest first: the old pinned post goes last
    assert result["posts"][-1]["id"] == "DPin0ld2023" and result["posts"][-1]["pinned"]
    assert first["url"] == "https://www.instagram.com/p/DMatch0001a/"
    assert first["published_at"] == "2025-06-14T15:06:40Z"
    assert first["hashtags"] == ["summer2025", "plage"]
    kinds = {post["id"]: post["kind"] for post in result["posts"]}
    assert kinds["DMatch0002b"] == "carousel" and kinds["DReel000003"] == "reel"
    assert kinds["DVideo00007"] == "video" and kinds["DMatch0001a"] == "image"
    near = next(post for post in result["posts"] if post["id"] == "DNear000004")
    assert "#sumer2025" in near["detail"]


def test_mentions_are_not_hashtags() -> None:
    snapshot = replay_snapshot("instagram", "lea.voyage", "web", CASSETTES / "public.yaml")
    no_tag = next(post for post in snapshot.posts if post.id == "DNoTag00009")
    assert no_tag.hashtags == ()
    # The pinned post keeps its flag and takes its place by its own (old) time: last.
    assert snapshot.posts[-1].pinned and not any(post.pinned for post in snapshot.posts[:-1])


@pytest.mark.parametrize(
    ("handle", "cassette", "status", "exit_status", "detail"),
    [
        ("secret.garden", "private", "private", 0, "private"),
        ("nobody.here.404", "not_found", "not_found", 0, "no account"),
        ("gone.account", "user_null", "not_found", 0, "no account"),
        ("lea.voyage", "rate_limited", "unavailable", 3, "429"),
        ("lea.voyage", "wait_a_few_minutes", "unavailable", 3, "Please wait a few minutes"),
        ("lea.voyage", "login_redirect", "unavailable", 3, "login"),
        ("lea.voyage", "unknown_shape", "layout_changed", 3, "data.user"),
    ],
)
def test_account_statuses_and_exit_codes(capsys: pytest.CaptureFixture[str], handle: str,
                                         cassette: str, status: str, exit_status: int,
                                         detail: str) -> None:
    code, result = check(capsys, handle, "--hashtag", "summer2025", "--cassette",
                         str(CASSETTES / f"{cassette}.yaml"))
    assert (code, result["status"]) == (exit_status, status)
    assert detail in result["detail"]
    assert result["posts"] == [] and result["requests"] == 1


def test_empty_account_is_ok_with_no_posts() -> None:
    snapshot = replay_snapshot("instagram", "brand.new", "web", CASSETTES / "empty_account.yaml")
    assert snapshot.status is AccountStatus.OK and snapshot.posts == ()


def test_limit_keeps_the_newest_posts_not_the_first_listed() -> None:
    # The answer lists an old pinned post first: cutting before ordering would keep it and
    # drop DNear000004, a newer post that may count.
    snapshot = replay_snapshot("instagram", "lea.voyage", "web", CASSETTES / "public.yaml",
                               limit=4)
    assert [post.id for post in snapshot.posts] == ["DMatch0001a", "DMatch0002b",
                                                    "DReel000003", "DNear000004"]
    assert [post.kind for post in snapshot.posts] == [PostKind.IMAGE, PostKind.CAROUSEL,
                                                      PostKind.REEL, PostKind.IMAGE]


def test_profile_url_handle_is_normalised(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = check(capsys, "https://www.instagram.com/Lea.Voyage/", "--hashtag",
                         "#Summer2025", "--cassette", str(CASSETTES / "public.yaml"))
    assert code == 0 and result["handle"] == "lea.voyage"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["someone", "--hashtag", "été2024"], "'é' is not allowed; use `ete2024`"),
        (["bad..handle", "--hashtag", "x1"], "not a valid instagram handle"),
        (["someone", "--hashtag", "x1", "--since", "yesterday"], "not an ISO 8601 date"),
        (["someone", "--hashtag", "x1", "--since", "2025-02-01", "--until", "2025-01-01"],
         "is not after"),
        (["someone", "--hashtag", "x1", "--backend", "selenium"], "'selenium' is not available"),
        (["someone", "--hashtag", "x1", "--cassette", "/nonexistent.yaml"], "does not exist"),
    ],
)
def test_invalid_input_exits_2_with_a_clear_message(capsys: pytest.CaptureFixture[str],
                                                    args: list[str], message: str) -> None:
    assert main(["check", "instagram", *args]) == 2
    assert message in capsys.readouterr().err


def test_request_missing_from_cassette_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "instagram", "someone.else", "--hashtag", "x1", "--cassette",
                 str(CASSETTES / "public.yaml")])
    assert code == 2
    assert "not in the cassette" in capsys.readouterr().err


def test_readable_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "instagram", "lea.voyage", "--hashtag", "summer2025",
                 "--cassette", str(CASSETTES / "public.yaml")]) == 0
    out = capsys.readouterr().out
    assert "instagram @lea.voyage: ok via web, 1 request" in out
    assert "#summer2025: 4 of 12 posts match" in out
    assert "hashtag_near_miss" in out


def test_cassettes_hold_no_secrets() -> None:
    for path in CASSETTES.parent.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8").lower()
        assert "sessionid" not in text and "authorization:" not in text, path


def _read_answer_signals_first(response: Any) -> Any:
    """What read_answer did before its fast path: the signals first, then the JSON."""
    from engine.errors import LayoutChanged, PlatformUnavailable
    from plugins.instagram.constants import SIGNALS

    SIGNALS.check_response(response, "web_profile_info")
    try:
        return json.loads(response.text)
    except ValueError:
        lowered = response.text[:4000].lower()
        if "login" in lowered or "<html" in lowered:
            raise PlatformUnavailable(
                "Instagram answered with an HTML page instead of JSON (login wall)",
                cause="login_wall") from None
        raise LayoutChanged("Instagram answer is not JSON") from None


@pytest.mark.parametrize("status", [200, 201, 301, 302, 400, 401, 404, 429, 500])
@pytest.mark.parametrize("text", [
    '{"data": {"user": null}, "status": "ok"}',
    '  \n{"status": "fail", "message": "Please wait a few minutes before you try again."}',
    '{"status": "fail"}', '{"status": ["fail"]}', '{"status": null}', '{"status": ""}',
    '{"message": "checkpoint_required", "status": "ok"}', '[{"status": "fail"}]',
    '"fail"', "null", "12", "{}", "\u00a0{\"status\": \"fail\"}",
    "<html><body>Login • Instagram</body></html>", "not json", "",
])
def test_read_answer_reads_as_the_signals_do(status: int, text: str) -> None:
    """The parse-once fast path gives what the signals-then-JSON reading gives: the same
    body, or the same error with the same message and cause."""
    import httpx

    from plugins.instagram.web import read_answer

    def outcome(reader: Any) -> Any:
        response = httpx.Response(status, text=text, headers={"location": "/accounts/login/"})
        try:
            return ("body", reader(response))
        except Exception as error:  # noqa: BLE001 - compared: type, cause and message
            return (type(error).__name__, getattr(error, "cause", None), str(error))
    assert outcome(read_answer) == outcome(_read_answer_signals_first)
