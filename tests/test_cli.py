"""The `peoplezones` command line as a coordinator and the eval tool use it."""

import io
import json

import pytest

from bot.cli import main
from tests.conftest import FIXTURES, SHARED_DATA, needs_shared


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_upgrade_import_search_json(cli_env, capsys):
    assert run(capsys, "db", "upgrade")[0] == 0
    code, out, _ = run(capsys, "import", str(FIXTURES / "assets_small.csv"))
    assert code == 0
    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in out
    code, out, _ = run(capsys, "search", "youth club braunstone", "--json", "--limit", "1")
    assert code == 0
    answer = json.loads(out)
    assert answer["query"] == "youth club braunstone"
    assert [r["name"] for r in answer["results"]] == ["Braunstone Youth Hub"]
    assert set(answer["results"][0]) == {"id", "external_id", "name", "score", "why"}
    assert answer["results"][0]["external_id"] == "braunstone-youth-hub-le3-1aa"


def test_batch_answers_every_line_in_order(cli_env, capsys, monkeypatch, tmp_path):
    run(capsys, "import", str(FIXTURES / "assets_small.csv"))
    queries = ["lunch for older people", "😀😀", "x" * 5000, "teenagers"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(queries) + "\n"))
    code, out, _ = run(capsys, "search", "--json", "--batch", "-")
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["query"] for a in answers] == queries
    assert answers[0]["results"][0]["name"] == "Oakham Lunch Club"
    assert answers[3]["results"][0]["name"] == "Braunstone Youth Hub"


def test_import_reports_rejected_rows(cli_env, capsys):
    code, out, _ = run(capsys, "import", str(FIXTURES / "assets_bad_rows.csv"))
    assert code == 0
    assert "2 created" in out and "5 rejected" in out
    assert "rejected row 4: opening_hours:" in out


def test_broken_file_is_one_clear_line_and_exit_1(cli_env, capsys, tmp_path):
    bad = tmp_path / "feed.json"
    bad.write_text('{"content": [')
    code, _, err = run(capsys, "import", str(bad))
    assert code == 1
    assert err.startswith("peoplezones: nothing imported: feed.json is not valid JSON")
    assert len(err.strip().splitlines()) == 1


def test_export_both_formats(cli_env, capsys, tmp_path):
    run(capsys, "import", str(FIXTURES / "assets_small.csv"))
    assert run(capsys, "export", str(tmp_path / "out.csv"), "--format", "csv")[0] == 0
    assert (tmp_path / "out.csv").read_text().count("\n") == 3
    assert run(capsys, "export", str(tmp_path / "out.json"), "--format", "oruk")[0] == 0
    assert json.loads((tmp_path / "out.json").read_text())["totalElements"] == 2
    assert not list(tmp_path.glob("*.partial"))


def test_bad_config_stops_with_one_line(cli_env, capsys, tmp_path):
    config = tmp_path / "pz.toml"
    config.write_text("colour = 1\n")
    code, _, err = run(capsys, "--config", str(config), "search", "food")
    assert code == 1
    assert (
        err.strip()
        == f"peoplezones: {config}: setting 'colour' is not a known setting (see config.example.toml)"
    )


def test_search_needs_text(cli_env, capsys):
    code, _, err = run(capsys, "search")
    assert code == 1 and "say what to search for" in err


def test_demo_loads_and_ends_in_the_chat(cli_env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("library in oakham\n/whatson\n"))
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "demo directory: demo:" in out
    assert "demo events: 8 created" in out
    assert "Here's what I found for library in oakham" in out
    assert "1. Oakham Library" in out
    assert "What's on in the next week" in out and "(example)" in out
    code, out, _ = run(capsys, "demo", "load")
    assert " 0 created, 0 updated" in out and "events: 0 created, 0 updated, 8 unchanged" in out


@needs_shared
def test_done_when_north_lincolnshire_food_bank(cli_env, capsys):
    run(capsys, "db", "upgrade")
    run(capsys, "import", str(SHARED_DATA / "oruk" / "north_lincolnshire_services.json"))
    code, out, _ = run(capsys, "search", "food bank", "--json")
    names = [r["name"] for r in json.loads(out)["results"]]
    assert code == 0
    assert names[0] == "Food Bank"
    assert sum("Food" in n for n in names[:5]) >= 3


@pytest.mark.parametrize("limit", ["0", "101"])
def test_limit_is_checked(cli_env, capsys, limit):
    code, _, err = run(capsys, "search", "food", "--limit", limit)
    assert code == 1 and "--limit" in err


def test_categories_can_be_seen_and_corrected(cli_env, capsys):
    run(capsys, "import", str(FIXTURES / "assets_small.csv"))
    code, out, _ = run(capsys, "categories", "braunstone-youth-hub-le3-1aa")
    assert code == 0
    assert "youth-clubs" in out
    code, out, _ = run(capsys, "categories", "braunstone-youth-hub-le3-1aa", "--add", "sport-clubs")
    assert code == 0 and "sport-clubs" in out and "added by a coordinator" in out
    code, _, err = run(capsys, "categories", "braunstone-youth-hub-le3-1aa", "--add", "spaceships")
    assert code == 1 and "unknown category: spaceships" in err
    code, _, err = run(capsys, "categories", "no-such-asset")
    assert code == 1 and "no asset has the id" in err
    code, out, _ = run(capsys, "classify")
    assert code == 0 and "classified 2 assets" in out


def test_search_json_says_why(cli_env, capsys):
    run(capsys, "import", str(FIXTURES / "assets_small.csv"))
    code, out, _ = run(capsys, "search", "any youth clubs for my lad", "--json", "--limit", "1")
    assert code == 0
    top = json.loads(out)["results"][0]
    assert top["name"] == "Braunstone Youth Hub"
    assert any(reason.startswith("need: ") for reason in top["why"])


def test_terminal_chat_from_piped_input(cli_env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("hi\nfood bank near LE4\n1\n/as Bob\n/loc LE15 6AA\n99\n"))
    code, out, _ = run(capsys, "chat")
    assert code == 0
    assert "the directory was empty, so I loaded the demo" in out
    blocks = out.split("you> ")[1:]
    assert [b.split("\n", 1)[0] for b in blocks] == [
        "hi",
        "food bank near LE4",
        "1",
        "/as Bob",
        "/loc LE15 6AA",
        "99",
    ]
    assert "Hello! What can I help you find?" in blocks[0]
    assert "Here's what I found for food bank near LE4" in blocks[1] and "[1] 1 · Details" in blocks[1]
    assert "Food Bank" in blocks[2] or "food bank" in blocks[2]  # the details of result 1
    assert "now typing as Bob" in blocks[3]
    assert "I'll remember LE15" in blocks[4]
    assert "There is no button 99" in blocks[5]


def test_run_without_a_token_says_how_to_get_one(cli_env, capsys):
    code, _, err = run(capsys, "run")
    assert code == 1
    assert "PEOPLEZONES_BOT_TOKEN" in err and "@BotFather" in err


def test_in_the_demo_the_help_after_a_crisis_points_to_real_local_services(cli_env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("i was raped last night\ni want to kill myself\n"))
    code, out, _ = run(capsys, "demo")
    assert code == 0
    raped, suicidal = out.split("you> ")[1:3]
    assert "0808 500 2222" in raped and "Juniper Lodge Sexual Assault Referral Centre" in raped
    assert "116 123" in suicidal and "Mental Health Central Access Point" in suicidal
    assert "🕒 Open now, day and night" in suicidal
    assert "(example" not in raped  # only real services serve this kind in the demo
