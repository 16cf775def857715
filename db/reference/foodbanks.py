"""Food banks (Give Food) inside LLR as directory rows."""

from __future__ import annotations

from collections.abc import Iterable

from db.reference.common import format_coordinate, format_phone, split_address
from db.sheet import join_list, slug
from db.text import normalise_postcode

FOODBANK_ATTRIBUTION = "Give Food (givefood.org.uk)"


def foodbank_names(row: dict[str, str]) -> tuple[str, str]:
    """(asset name, organisation): Give Food lists Trussell Trust food banks by place only."""
    name = row["name"]
    if row.get("network", "").lower() == "trussell trust":
        organisation = name if "foodbank" in name.lower() else f"{name} Foodbank"
        return organisation, organisation
    return (name if "food" in name.lower() else f"{name} food bank"), name


def foodbank_description(row: dict[str, str]) -> str:
    network = row.get("network", "")
    if network.lower() == "independent" or not network:
        text = "Independent food bank."
    elif network.upper() == "IFAN":
        text = "Food bank (Independent Food Aid Network)."
    else:
        text = f"Food bank ({network} network)."
    if row.get("charity_number"):
        text += f" Registered charity {row['charity_number']}."
    return text


def foodbank_rows(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Food banks inside LLR that are still open (the file also holds neighbours)."""
    out: list[dict[str, str]] = []
    for row in rows:
        if row.get("in_llr", "").lower() != "yes":
            continue
        if row.get("closed", "").lower() not in ("", "false", "no", "0"):
            continue
        postcode = normalise_postcode(row.get("postcode"))
        address, town = split_address([row.get("address", "")], postcode)
        name, organisation = foodbank_names(row)
        out.append(
            {
                "external_id": "foodbank:" + (row.get("slug") or slug(row["name"])),
                "kind": "service",
                "name": name,
                "organisation": organisation,
                "organisation_id": slug(organisation),
                "description": foodbank_description(row),
                "categories": "Food banks",
                "keywords": join_list(["food bank", "food parcels", "emergency food"]),
                "address": address,
                "town": town,
                "postcode": postcode,
                "latitude": format_coordinate(row.get("latitude", "")),
                "longitude": format_coordinate(row.get("longitude", "")),
                "phone": format_phone(row.get("phone", "")),
                "email": row.get("email", "").lower(),
                "website": row.get("url", ""),
                "attribution": FOODBANK_ATTRIBUTION,
            }
        )
    return out
