"""Settings: defaults, the file, environment overrides, and one clear line for every mistake."""

from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "peoplezones.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_no_file():
    settings = load_settings(None, env={})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.timezone == "Europe/London"
    assert settings.bot_token is None
    assert settings.reminder_offsets_minutes == (1440, 120)
    assert "Rutland" in [z.name for z in settings.zones]


def test_example_config_is_valid_and_documents_every_setting():
    example = ROOT / "config.example.toml"
    settings = load_settings(example, env={})
    assert settings.source == str(example)
    text = example.read_text(encoding="utf-8")
    for key in ("database_url", "timezone", "admin_ids", "reminder_offsets_minutes",
                "broadcast_rate_per_second", "zones", "bot_token"):  # fmt: skip
        assert key in text
    assert any("LE4" in z.postcode_districts for z in settings.zones)


def test_file_values_are_read(tmp_path):
    path = write(
        tmp_path,
        'database_url = "postgresql+asyncpg://u@localhost/pz"\nadmin_ids = [42]\n'
        "reminder_offsets_minutes = [60, 1440]\n"
        '[[zones]]\nname = "Braunstone"\npostcode_districts = ["le3"]\nplaces = ["Braunstone"]\n',
    )
    settings = load_settings(path, env={})
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.admin_ids == (42,)
    assert settings.reminder_offsets_minutes == (1440, 60)
    assert [(z.name, z.postcode_districts) for z in settings.zones] == [("Braunstone", ("LE3",))]


def test_config_path_from_environment_and_overrides(tmp_path):
    path = write(tmp_path, 'timezone = "Europe/London"\n')
    settings = load_settings(
        None,
        env={
            "PEOPLEZONES_CONFIG": str(path),
            "PEOPLEZONES_DATABASE_URL": "sqlite+aiosqlite:///other.db",
            "PEOPLEZONES_BOT_TOKEN": "123:abc",
        },
    )
    assert settings.source == str(path)
    assert settings.database_url == "sqlite+aiosqlite:///other.db"
    assert settings.bot_token == "123:abc"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('colour = "blue"\n', "'colour'"),
        ("admin_ids = 5\n", "'admin_ids'"),
        ('broadcast_rate_per_second = "fast"\n', "'broadcast_rate_per_second'"),
        ("broadcast_rate_per_second = 500\n", "'broadcast_rate_per_second'"),
        ('database_url = "not a url"\n', "'database_url'"),
        ('database_url = "mysql://x@y/z"\n', "'database_url'"),
        ('timezone = "Mars/Olympus"\n', "'timezone'"),
        ("reminder_offsets_minutes = [true]\n", "'reminder_offsets_minutes'"),
        ('[[zones]]\npostcode_districts = ["LE1"]\n', "'zones[0].name'"),
        ('[[zones]]\nname = "X"\nwards = []\n', "'zones[0].wards'"),
    ],
)
def test_mistakes_stop_with_one_line_naming_key_and_file(tmp_path, text, names):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    assert names in message


def test_broken_toml_names_the_file(tmp_path):
    path = write(tmp_path, "database_url = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, env={})


def test_bad_url_in_environment_names_the_variable():
    with pytest.raises(ConfigError, match="PEOPLEZONES_DATABASE_URL"):
        load_settings(None, env={"PEOPLEZONES_DATABASE_URL": "nonsense"})


def test_a_named_settings_file_that_is_not_there_stops_with_one_line(tmp_path):
    missing = tmp_path / "peoplezones.toml"
    with pytest.raises(ConfigError) as given:
        load_settings(missing, env={})
    assert str(given.value).startswith(f"{missing}: there is no such settings file (named by --config)")
    with pytest.raises(ConfigError) as from_env:
        load_settings(None, env={"PEOPLEZONES_CONFIG": str(missing)})
    assert "(named by PEOPLEZONES_CONFIG)" in str(from_env.value)
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(ConfigError, match="is not a file"):
        load_settings(tmp_path / "folder.toml", env={})


@pytest.mark.parametrize("how", ["--config", "PEOPLEZONES_CONFIG"])
def test_the_command_line_refuses_a_settings_file_that_is_not_there(
    cli_env, capsys, monkeypatch, tmp_path, how
):
    from bot.cli import main

    missing = tmp_path / "typo.toml"
    if how == "--config":
        code = main(["--config", str(missing), "search", "food"])
    else:
        monkeypatch.setenv("PEOPLEZONES_CONFIG", str(missing))
        code = main(["search", "food"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"peoplezones: {missing}: there is no such settings file (named by {how}); check the path, "
        "or leave it out to use the defaults"
    ]
