"""The languages feeds and spreadsheets name, as one ISO 639 code each (db.importers.languages)."""

import csv

import pytest

from db.importers.languages import language_code, language_codes, language_name, spreadsheet_name
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Urdu", "ur"), ("urd", "ur"), ("ur", "ur"), ("UR", "ur"), ("ur-PK", "ur"), ("urdu language", "ur"),
        ("Punjabi", "pa"), ("Panjabi", "pa"), ("pan", "pa"), ("pa_Arab_PK", "pa"),
        ("Punjabi (Gurmukhi)", "pa"),
        ("Gujarati", "gu"), ("Gujrati", "gu"), ("Polish", "pl"), ("pol", "pl"), ("Polski", "pl"),
        ("Somali", "so"), ("Arabic", "ar"), ("ara", "ar"), ("English", "en"), ("eng", "en"), ("en-GB", "en"),
        ("Farsi", "fa"), ("Persian", "fa"), ("Dari", "prs"), ("prs", "prs"), ("Bengali", "bn"),
        ("Bangla", "bn"), ("Chinese (Mandarin)", "zh"), ("Mandarin", "zh"), ("Cantonese", "yue"),
        ("Sylheti", "syl"), ("Sorani", "ckb"), ("BSL", "bfi"), ("British Sign Language", "bfi"),
        ("Brazilian Portuguese", "pt"), ("اردو", "ur"), ("ਪੰਜਾਬੀ", "pa"), ("  Tigrinya ", "ti"),
    ],
)  # fmt: skip
def test_a_name_a_code_or_a_tag_is_one_code(written, code):
    assert language_code(written) == code


@pytest.mark.parametrize(
    "written", ["Elvish", "Makaton", "Other", "xx", "und", "Multiple languages", "", "42"]
)
def test_what_names_no_language_is_none(written):
    assert language_code(written) is None


def test_lower_case_short_values_are_codes_and_capitalised_ones_names():
    assert language_code("ga") == "ga"  # Irish
    assert language_code("Ga") == "gaa"  # the language of Accra


def test_a_list_in_one_value_is_split_and_its_unknown_parts_kept_as_written():
    assert language_codes(
        ["English, Urdu", "Urdu/Punjabi", "Gujarati & Elvish", "Polish and Somali", "pa"]
    ) == (
        ["en", "ur", "pa", "gu", "pl", "so"],
        ["Elvish"],
    )


def test_each_code_is_named_in_the_readers_language():
    assert [language_name(code) for code in ("ur", "pa", "prs", "syl")] == [
        "Urdu",
        "Punjabi",
        "Dari",
        "Sylheti",
    ]
    assert [language_name(code, "ur") for code in ("ur", "pa", "prs")] == ["اردو", "پنجابی", "دری"]
    assert language_name("pl", "pl") == "polski"
    assert language_name("syl", "ur") == "Sylheti"  # no Urdu name in CLDR: the English one


def test_every_language_of_the_demo_directory_reads_back_from_its_spreadsheet_name():
    """An export writes names, and an import reads them back as the same codes."""
    written = set()
    with (ROOT / "db" / "data" / "demo_directory.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            written |= {part.strip() for part in row["languages"].split(";") if part.strip()}
    codes, unknown = language_codes(sorted(written))
    assert unknown == [] and len(codes) == len(written)
    assert all(language_code(spreadsheet_name(code)) == code for code in codes)
    assert spreadsheet_name("Elvish") == "Elvish"  # not a code: written as it is
