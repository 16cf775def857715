"""GP practices (NHS ODS epraccur) as directory rows, with ODS's upper-case names tidied."""

from __future__ import annotations

import re
from collections.abc import Iterable

from db.reference.common import format_coordinate, format_phone, split_address
from db.sheet import join_list
from db.text import clean_text, normalise_postcode

GP_ATTRIBUTION = "NHS ODS epraccur, Open Government Licence v3.0"

# Not somewhere a resident can walk in or register: the Special Allocation Scheme takes patients
# by NHS referral only and its address is a PO box.
EXCLUDED_GP_CODES = frozenset({"Y03584"})

_ODS_NAME_FIXES = (
    (re.compile(r"'S\b"), "'s"),  # "Dr Nw Osborne'S Practice"
    (re.compile(r"\bMed\.?\s*Ct(?:re|r)\b\.?"), "Medical Centre"),
    (re.compile(r"\bMed(?:ical)?\.?\s*Pract?\b\.?"), "Medical Practice"),
    (re.compile(r"\bMed\.?\s+(Practice|Centre)\b"), r"Medical \1"),
    (re.compile(r"\b(Medical|Health)\s+Ct(?:re|r)\b\.?"), r"\1 Centre"),
    (re.compile(r"\bHlth\b"), "Health"),
    (re.compile(r"\bAnd\b"), "and"),
    (re.compile(r"\bDe La\b"), "de la"),
    (re.compile(r"-Upon-"), "-upon-"),
    (re.compile(r"\bGp\b"), "GP"),
    (re.compile(r"\bLlr\b"), "LLR"),
    (re.compile(r"(\S)\("), r"\1 ("),
)
_ODS_INITIALS = re.compile(r"(\bDr |\()([A-Z][a-z]{1,2})(?= [A-Z][a-z])")


def tidy_ods_name(name: str) -> str:
    """ODS title-cases its upper-case names badly: put back GP, initials and apostrophes.

    Also spells out its 35-character abbreviations ('Med.Pract.'), which read badly aloud.
    """
    for pattern, replacement in _ODS_NAME_FIXES:
        name = pattern.sub(replacement, name)
    # ODS keeps partners' initials only ("Dr Nw Osborne", "(Id Patchett)"): restore capitals.
    return clean_text(_ODS_INITIALS.sub(lambda m: m.group(1) + m.group(2).upper(), name))


def gp_rows(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for row in rows:
        code = row.get("ods_code", "").upper()
        if not code or code in EXCLUDED_GP_CODES or not row.get("name"):
            continue
        postcode = normalise_postcode(row.get("postcode"))
        lines = [tidy_ods_name(row.get(f"address_{i}", "")) for i in range(1, 6)]
        address, town = split_address(lines, postcode)
        name = tidy_ods_name(row["name"])
        out.append(
            {
                "external_id": f"gp:{code.lower()}",
                "kind": "service",
                "name": name,
                "organisation": name,
                "organisation_id": f"ods-{code.lower()}",
                "description": "NHS GP practice.",
                "categories": "GP practices",
                "keywords": join_list(["doctor", "GP", "surgery", "health"]),
                "address": address,
                "town": town,
                "postcode": postcode,
                "latitude": format_coordinate(row.get("latitude", "")),
                "longitude": format_coordinate(row.get("longitude", "")),
                "phone": format_phone(row.get("phone", "")),
                "attribution": GP_ATTRIBUTION,
            }
        )
    return out
