"""Directory upkeep through the emulation: residents' anonymous "report a change" reaching the
zone's coordinators, /reports, /review and "Still correct", /addasset and editing an asset, and
refusals (residents, other zones, revoked coordinators, forged buttons) that change nothing."""

from datetime import date

import pytest
from sqlalchemy import delete, select

from bot.config import ConfigError, Settings, default_zones, load_settings
from bot.handlers.asset_reports import HandleChange, ReportChange
from bot.handlers.upkeep import AddAsset, EditAsset, EditField, ReviewMore, StillCorrect
from bot.services.places import ZoneMap
from bot.services.upkeep import read_address, read_phone, read_website
from db.models import Asset, AssetClassification, AssetReport, Resident, Role
from tests.conversation import close_conversation, open_conversation

CORA = 9001  # an admin in the config: every zone
RUTH = 9002  # coordinator of Rutland (a role in the database)
NED = 9003  # coordinator of Leicester North
TODAY = date(2026, 11, 26)  # the conversation clock's day in London


@pytest.fixture
async def chat(sessions, database_url):
    settings = Settings(database_url=database_url, zones=default_zones(), admin_ids=(CORA,))
    conversation = await open_conversation(sessions, database_url, settings=settings)
    yield conversation
    await close_conversation(conversation)


async def make_coordinator(sessions, telegram_id: int, zone: str) -> int:
    async with sessions.begin() as session:
        resident = Resident(telegram_user_id=telegram_id)
        session.add(resident)
        await session.flush()
        session.add(Role(resident_id=resident.id, role="coordinator", zone=zone))
        return resident.id


async def asset(sessions, external_id: str) -> Asset:
    async with sessions() as session:
        return await session.scalar(select(Asset).where(Asset.external_id == external_id))


async def reports(sessions) -> list[AssetReport]:
    async with sessions() as session:
        return list(await session.scalars(select(AssetReport).order_by(AssetReport.id)))


def labels(message) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


async def open_card(chat, user, query: str, name: str):
    """Search as a resident and open the details card of NAME."""
    [results] = await chat.say(user, query)
    number = next(i for i, block in enumerate(results.plain.split("\n\n")) if name in block)
    [details] = await chat.press(user, f"{number} · Details", results)
    assert details.plain.startswith(name)
    return details


async def report_change(chat, user, text: str):
    details = await open_card(chat, user, "oakham food bank", "Oakham Food Bank")
    [question] = await chat.press(user, "✏️ Report a change", details)
    assert "What has changed at Oakham Food Bank?" in question.plain
    assert "new opening times, it has moved, it has closed" in question.plain
    return await chat.say(user, text)


async def test_a_report_reaches_the_zones_coordinators_only_and_keeps_nobody(chat, sessions):
    await make_coordinator(sessions, RUTH, "Rutland")
    await make_coordinator(sessions, NED, "Leicester North")
    ann = chat.telegram.user("Ann")
    ruth, ned = chat.telegram.user("Ruth", user_id=RUTH), chat.telegram.user("Ned", user_id=NED)
    cora = chat.telegram.user("Cora", user_id=CORA)
    details = await open_card(chat, ann, "oakham food bank", "Oakham Food Bank")
    await chat.press(ann, "✏️ Report a change", details)
    [again] = await chat.say(ann, "🙂👍")  # no words: asked again, nothing stored
    assert "couldn't read that" in again.plain
    assert await reports(sessions) == []
    mark = chat.telegram.mark()
    [thanks] = await chat.say(ann, "It opens on Thursdays now, not Tuesdays")
    assert "passed this on to the local coordinators" in thanks.plain
    assert "They don't see who you are" in thanks.plain and "/forget deletes it" in thanks.plain
    [report] = await reports(sessions)
    food_bank = await asset(sessions, "fb-oak")
    assert report.telegram_user_id == ann.id  # for /mydata and /forget only: never shown to anyone
    assert (report.asset_id, report.resident_id, report.zone, report.status) == (
        food_bank.id,
        None,
        "Rutland",
        "open",
    )
    assert report.text == "It opens on Thursdays now, not Tuesdays"
    for coordinator in (ruth, cora):
        [notice] = chat.telegram.bot_messages_since(coordinator, mark)
        assert "Oakham Food Bank" in notice.plain and "It opens on Thursdays now" in notice.plain
        assert labels(notice) == ["Mark done", "Dismiss", "Edit this asset"]
    assert chat.telegram.bot_messages_since(ned, mark) == []
    async with sessions() as session:  # the reporter was not made a resident either
        assert await session.scalar(select(Resident).where(Resident.telegram_user_id == ann.id)) is None
    # the next message is a search again, not another report
    [results] = await chat.say(ann, "food bank in LE4")
    assert results.plain.startswith("Here's what I found")
    assert len(await reports(sessions)) == 1


async def test_a_long_report_is_cut_not_refused_and_a_forged_report_button_is_stale(chat, sessions):
    ann = chat.telegram.user("Ann")
    [thanks] = await report_change(chat, ann, "It has moved to the church hall. " * 60)
    assert "kept the first 1,000 characters" in thanks.plain
    [report] = await reports(sessions)
    assert len(report.text) == 1000 and report.text.startswith("It has moved to the church hall.")
    [menu] = await chat.say(ann, "hi")
    [stale] = await chat.act(ann, ann.press_data(ReportChange(999_999).data, menu))
    assert "old message" in stale.plain
    assert len(await reports(sessions)) == 1


async def test_reports_are_listed_and_handled_once(chat, sessions):
    ruth_id = await make_coordinator(sessions, RUTH, "Rutland")
    await make_coordinator(sessions, NED, "Leicester North")
    ann = chat.telegram.user("Ann")
    ruth, ned = chat.telegram.user("Ruth", user_id=RUTH), chat.telegram.user("Ned", user_id=NED)
    cora = chat.telegram.user("Cora", user_id=CORA)
    await report_change(chat, ann, "The phone number has changed")
    [report] = await reports(sessions)
    header, card = await chat.say(ruth, "/reports")
    assert "1 open report of" in header.plain
    assert "Oakham Food Bank (Rutland)" in card.plain and "The phone number has changed" in card.plain
    [nothing] = await chat.say(ned, "/reports")
    assert "no open reports" in nothing.plain
    [forged] = await chat.act(ned, ned.press_data(HandleChange("done", report.id).data, nothing))
    assert "outside the zones you look after" in forged.plain
    _, admin_card = await chat.say(cora, "/reports")  # an admin sees every zone
    assert "Oakham Food Bank" in admin_card.plain
    [done] = await chat.press(ruth, "Mark done", card)
    assert "Marked done" in done.plain
    [report] = await reports(sessions)
    assert (report.status, report.handled_by) == ("done", ruth_id) and report.handled_at is not None
    handled_at = report.handled_at
    [again] = await chat.press(ruth, "Mark done", card)
    assert "already marked done on 26 Nov 2026" in again.plain
    [dismiss] = await chat.press(cora, "Dismiss", admin_card)  # a second coordinator, too late
    assert "already marked done" in dismiss.plain
    [report] = await reports(sessions)
    assert (report.status, report.handled_by, report.handled_at) == ("done", ruth_id, handled_at)
    [empty] = await chat.say(ruth, "/reports")
    assert "no open reports" in empty.plain


async def test_review_lists_unchecked_assets_and_still_correct_takes_one_off(chat, sessions):
    await make_coordinator(sessions, RUTH, "Rutland")
    ruth = chat.telegram.user("Ruth", user_id=RUTH)
    [listing] = await chat.say(ruth, "/review")
    assert "2 to check" in listing.plain and "over 365 days" in listing.plain
    assert labels(listing) == ["1 · Oakham Food Bank", "2 · Oakham Lunch Club"]
    assert listing.plain.count("Last checked: never") == 2
    [card] = await chat.press(ruth, "1 · Oakham Food Bank", listing)
    assert card.plain.split("\n")[0] == "Oakham Food Bank" and "Last checked: never" in card.plain
    assert labels(card) == ["✅ Still correct", "✏️ Edit"]
    before = await asset(sessions, "fb-oak")
    await chat.press(ruth, "✅ Still correct", card)
    edited = chat.telegram.chat(ruth.id).messages[card.message_id]
    assert "Oakham Food Bank: marked as checked today" in edited.plain and edited.buttons == []
    after = await asset(sessions, "fb-oak")
    assert after.last_verified == TODAY
    assert after.updated_at == before.updated_at  # nothing searched changed: no index rebuild
    [listing] = await chat.say(ruth, "/review")
    assert "1 to check" in listing.plain
    assert labels(listing) == ["1 · Oakham Lunch Club"]


async def test_review_pages_oldest_first_and_skips_recently_checked(chat, sessions):
    await make_coordinator(sessions, RUTH, "Rutland")
    async with sessions.begin() as session:
        for n in range(12):
            session.add(
                Asset(
                    name=f"Rutland Group {n:02d}", source="test", external_id=f"rg-{n}", zone="Rutland",
                    last_verified=date(2020, 1, 1 + n),
                )
            )  # fmt: skip
        session.add(
            Asset(
                name="Checked Lately",
                source="test",
                external_id="ok",
                zone="Rutland",
                last_verified=date(2026, 6, 1),
            )
        )
    ruth = chat.telegram.user("Ruth", user_id=RUTH)
    [listing] = await chat.say(ruth, "/review")
    assert "14 to check" in listing.plain
    names = [label.split(" · ", 1)[1] for label in labels(listing)[:-1]]
    assert names[:2] == ["Oakham Food Bank", "Oakham Lunch Club"]  # never checked comes first
    assert names[2:] == [f"Rutland Group {n:02d}" for n in range(8)]
    assert labels(listing)[-1] == "More ▶"
    assert "3. Rutland Group 00\n📍 no People Zone\n🔎 Last checked: 01 Jan 2020" in listing.plain
    [card] = await chat.press(ruth, "1 · Oakham Food Bank", listing)
    await chat.press(ruth, "✅ Still correct", card)  # checking one does not skip another
    [rest] = await chat.press(ruth, "More ▶", listing)
    assert labels(rest) == [f"{n - 7} · Rutland Group {n:02d}" for n in range(8, 12)]
    assert "Checked Lately" not in listing.plain + rest.plain


async def test_a_coordinator_adds_an_asset_and_residents_find_it_at_once(chat, sessions):
    await make_coordinator(sessions, RUTH, "Rutland")
    ruth, ann = chat.telegram.user("Ruth", user_id=RUTH), chat.telegram.user("Ann")
    [ask] = await chat.say(ruth, "/addasset")
    assert "What is it called?" in ask.plain
    [short] = await chat.say(ruth, "🏠")
    assert "between 3 and 200" in short.plain
    await chat.say(ruth, "Oakham Warm Space")
    [address] = await chat.say(
        ruth, "A warm room with free hot drinks and company on cold days, open to everyone."
    )
    assert "address, with the postcode" in address.plain
    [no_postcode] = await chat.say(ruth, "The village hall")
    assert "couldn't find a Leicestershire or Rutland postcode" in no_postcode.plain
    [elsewhere] = await chat.say(ruth, "Beaumont Way, Leicester, LE4 1DS")
    assert "in Leicester North, which isn't one of the zones you look after" in elsewhere.plain
    [phone] = await chat.say(ruth, "Victoria Hall, 39 High Street, Oakham, LE15 6AH")
    assert "phone number" in phone.plain and labels(phone) == ["Skip"]
    [bad_phone] = await chat.say(ruth, "ring the bell")
    assert "doesn't look like a phone number" in bad_phone.plain
    [website] = await chat.say(ruth, "01632 960123")
    [hours] = await chat.press(ruth, "Skip", website)
    assert "When is it open?" in hours.plain
    [bad_hours] = await chat.say(ruth, "most weekdays")
    assert "couldn't read those hours" in bad_hours.plain and "Mon-Fri 09:00-17:00" in bad_hours.plain
    [preview] = await chat.say(ruth, "Mon-Fri 10:00-16:00")
    assert "Check before saving" in preview.plain and "Oakham Warm Space" in preview.plain
    assert "Victoria Hall, 39 High Street, Oakham, LE15 6AH" in preview.plain
    assert "Open now, closes 16:00" in preview.plain and "Mon-Fri 10:00-16:00" in preview.plain
    assert "Rutland" in preview.plain and "01632 960123" in preview.plain
    [saved] = await chat.press(ruth, "✅ Save", preview)
    assert "Saved! Residents can find it now." in saved.plain
    [stale] = await chat.press(ruth, "✅ Save", preview)  # a double tap saves nothing more
    assert "old message" in stale.plain
    async with sessions() as session:
        [added] = await session.scalars(select(Asset).where(Asset.source == "bot"))
        classified = await session.get(AssetClassification, added.id)
    assert added.external_id.startswith("bot-") and added.last_verified == TODAY
    assert (added.zone, added.postcode, added.postcode_district, added.town, added.address) == (
        "Rutland",
        "LE15 6AH",
        "LE15",
        "Oakham",
        "Victoria Hall, 39 High Street",
    )
    assert added.opening_hours[0] == {"day": "mon", "opens": "10:00", "closes": "16:00"}
    assert added.website == "" and classified is not None and classified.categories
    [results] = await chat.say(ann, "warm space in oakham")
    assert "Oakham Warm Space" in results.plain.split("\n\n")[1]


async def test_editing_a_phone_number_shows_on_the_card(chat, sessions):
    await make_coordinator(sessions, RUTH, "Rutland")
    ruth, ann = chat.telegram.user("Ruth", user_id=RUTH), chat.telegram.user("Ann")
    [listing] = await chat.say(ruth, "/review")
    [food_bank] = await chat.press(ruth, "1 · Oakham Food Bank", listing)
    [fields] = await chat.press(ruth, "✏️ Edit", food_bank)
    assert "change about Oakham Food Bank" in fields.plain
    assert labels(fields) == ["Name", "What it offers", "Address", "Phone", "Website", "Opening hours"]
    [prompt] = await chat.press(ruth, "Phone", fields)
    assert "Now: 01632 960001" in prompt.plain
    [bad] = await chat.say(ruth, "soon")
    assert "doesn't look like a phone number" in bad.plain
    [saved] = await chat.say(ruth, "01632 960999")
    assert "marked as checked today" in saved.plain and "📞 01632 960999" in saved.plain
    stored = await asset(sessions, "fb-oak")
    assert (stored.phone, stored.last_verified) == ("01632 960999", TODAY)
    details = await open_card(chat, ann, "oakham food bank", "Oakham Food Bank")
    assert "📞 01632 960999" in details.plain and "01632 960001" not in details.plain


async def test_a_new_address_moves_the_asset_but_not_out_of_the_coordinators_zones(chat, sessions):
    await make_coordinator(sessions, RUTH, "Rutland")
    ruth = chat.telegram.user("Ruth", user_id=RUTH)
    [listing] = await chat.say(ruth, "/review")
    [food_bank] = await chat.press(ruth, "1 · Oakham Food Bank", listing)
    [fields] = await chat.press(ruth, "✏️ Edit", food_bank)
    [prompt] = await chat.press(ruth, "Address", fields)
    assert "Now: Church Street, Oakham, LE15 6AA" in prompt.plain
    [refused] = await chat.say(ruth, "Beaumont Way, Leicester, LE4 1DS")
    assert "isn't one of the zones you look after" in refused.plain
    [saved] = await chat.say(ruth, "The Old School, Uppingham, LE15 9QH")
    assert "📍 The Old School, Uppingham, LE15 9QH" in saved.plain
    stored = await asset(sessions, "fb-oak")
    assert (stored.town, stored.postcode, stored.zone) == ("Uppingham", "LE15 9QH", "Rutland")
    assert (stored.latitude, stored.longitude) == (None, None)  # the imported pin was Oakham's


async def test_a_new_name_is_classified_again_and_searchable(chat, sessions):
    cora = chat.telegram.user("Cora", user_id=CORA)
    ann = chat.telegram.user("Ann")
    lunch = await asset(sessions, "lc-oak")
    [menu] = await chat.say(cora, "hi")
    [fields] = await chat.act(cora, cora.press_data(EditAsset(lunch.id).data, menu))
    await chat.press(cora, "Name", fields)
    await chat.say(cora, "Oakham Lunch Club and Warm Space")
    [fields] = await chat.act(cora, cora.press_data(EditAsset(lunch.id).data, menu))
    await chat.press(cora, "Opening hours", fields)
    [saved] = await chat.say(cora, "none")
    assert "Oakham Lunch Club and Warm Space" in saved.plain
    stored = await asset(sessions, "lc-oak")
    assert stored.opening_hours == []
    [results] = await chat.say(ann, "warm space in oakham")
    assert "Oakham Lunch Club and Warm Space" in results.plain


async def test_residents_cannot_use_upkeep_commands_or_buttons(chat, sessions):
    ann = chat.telegram.user("Ann")
    await report_change(chat, ann, "It has closed for good")
    [report] = await reports(sessions)
    food_bank = await asset(sessions, "fb-oak")
    for command in ("/addasset", "/review", "/reports"):
        [refused] = await chat.say(ann, command)
        assert "coordinators only" in refused.plain
    [menu] = await chat.say(ann, "hi")
    for data in (
        StillCorrect(food_bank.id).data,
        EditAsset(food_bank.id).data,
        EditField("phone", food_bank.id).data,
        HandleChange("done", report.id).data,
        HandleChange("dismissed", report.id).data,
        ReviewMore("0", 0).data,
    ):
        [refused] = await chat.act(ann, ann.press_data(data, menu))
        assert "coordinators only" in refused.plain
    [stale] = await chat.act(ann, ann.press_data(AddAsset("save").data, menu))
    assert "old message" in stale.plain
    await chat.say(ann, "0116 000 0000")  # not taken as a new phone number
    stored = await asset(sessions, "fb-oak")
    assert (stored.phone, stored.last_verified) == ("01632 960001", None)
    [report] = await reports(sessions)
    assert (report.status, report.handled_by) == ("open", None)
    async with sessions() as session:
        assert list(await session.scalars(select(Asset).where(Asset.source == "bot"))) == []


async def test_a_revoked_coordinator_changes_nothing(chat, sessions):
    ruth_id = await make_coordinator(sessions, RUTH, "Rutland")
    ruth, ann = chat.telegram.user("Ruth", user_id=RUTH), chat.telegram.user("Ann")
    await report_change(chat, ann, "New opening times")
    _, card = await chat.say(ruth, "/reports")
    [fields] = await chat.press(ruth, "Edit this asset", card)
    await chat.press(ruth, "Phone", fields)
    async with sessions.begin() as session:
        await session.execute(delete(Role).where(Role.resident_id == ruth_id))
    [refused] = await chat.say(ruth, "01632 960999")
    assert "coordinators only" in refused.plain
    for label, message in (("Mark done", card), ("Phone", fields)):
        [refused] = await chat.press(ruth, label, message)
        assert "coordinators only" in refused.plain
    stored = await asset(sessions, "fb-oak")
    assert (stored.phone, stored.last_verified) == ("01632 960001", None)
    [report] = await reports(sessions)
    assert report.status == "open"


async def test_a_coordinator_of_another_zone_cannot_edit_or_verify(chat, sessions):
    await make_coordinator(sessions, NED, "Leicester North")
    ned = chat.telegram.user("Ned", user_id=NED)
    food_bank = await asset(sessions, "fb-oak")
    [menu] = await chat.say(ned, "hi")
    for data in (StillCorrect(food_bank.id).data, EditField("name", food_bank.id).data):
        [refused] = await chat.act(ned, ned.press_data(data, menu))
        assert "outside the zones you look after" in refused.plain
    [listing] = await chat.say(ned, "/review")  # only Leicester North's
    assert "2 to check" in listing.plain
    assert labels(listing) == ["1 · Beaumont Leys Food Bank", "2 · Friday Youth Club"]
    assert (await asset(sessions, "fb-oak")).last_verified is None


async def test_cancel_stops_adding_an_asset(chat, sessions):
    cora = chat.telegram.user("Cora", user_id=CORA)
    await chat.say(cora, "/addasset")
    await chat.say(cora, "Half Typed Place")
    [stopped] = await chat.say(cora, "/cancel")
    assert "Nothing from that was saved" in stopped.plain
    async with sessions() as session:
        assert list(await session.scalars(select(Asset).where(Asset.source == "bot"))) == []


def test_addresses_phones_and_websites_as_coordinators_type_them():
    zones = ZoneMap(default_zones())
    place = read_address("Victoria Hall, Oakham, le15 6ab", zones)
    assert (place.address, place.town, place.postcode, place.zone) == (
        "Victoria Hall",
        "Oakham",
        "LE15 6AB",
        "Rutland",
    )
    place = read_address("12 Station Road LE4 1EZ", zones)
    assert (place.address, place.town, place.district, place.zone) == (
        "12 Station Road",
        "",
        "LE4",
        "Leicester North",
    )
    assert read_address("Oakham LE15 6AB", zones).town == "Oakham"
    assert read_address("the old mill", zones) is None
    assert read_phone("+44 (0)116 496 0000") == "+44 (0)116 496 0000"
    assert read_phone("call 0116") is None and read_phone("12") is None
    assert read_website("www.example.org/warm") == "https://www.example.org/warm"
    assert read_website("http://example.org") == "http://example.org"
    assert read_website("not a site") is None and read_website("localhost") is None


def test_verify_after_days_is_a_positive_whole_number(tmp_path):
    config = tmp_path / "peoplezones.toml"
    assert load_settings(env={}).verify_after_days == 365
    config.write_text("verify_after_days = 180\n")
    assert load_settings(config, env={}).verify_after_days == 180
    for bad in ("0", "-5", "1.5", '"365"', "true"):
        config.write_text(f"verify_after_days = {bad}\n")
        with pytest.raises(ConfigError, match="verify_after_days"):
            load_settings(config, env={})
