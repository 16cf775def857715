"""The `peoplezones` command line: set up the database, import, export, search, run the demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from bot import logs, messages
from bot.chat import run_chat
from bot.clock import system_clock
from bot.config import ConfigError, Settings, load_settings
from bot.production import run_telegram
from bot.services import demo
from bot.services.categories import CorrectionError, correct_categories
from bot.services.directory import import_directory, load_engine, reclassify_all
from bot.services.event_import import import_event_file
from bot.services.places import ZoneMap
from bot.services.privacy import apply_retention
from db import migrate
from db.exporters.csv_sheet import write_csv
from db.exporters.oruk_v1 import write_oruk
from db.exporters.records import all_records
from db.importers.pipeline import ImportReport
from db.importers.record import SourceFormatError
from db.importers.sources import FORMATS
from db.session import open_database

log = logging.getLogger("peoplezones")
MAX_QUERY_CHARS = 500


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit status 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peoplezones", description=__doc__)
    parser.add_argument("--config", help="settings file (default: $PEOPLEZONES_CONFIG, else built-in)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db_cmd = commands.add_parser("db", help="create or upgrade the database")
    db_cmd.add_argument("action", choices=["upgrade", "current"])

    imp = commands.add_parser("import", help="load a directory file, folder or Open Referral URL")
    imp.add_argument("location", metavar="PATH_OR_URL")
    imp.add_argument("--format", choices=FORMATS, default="auto")
    imp.add_argument("--source", help="name re-imports are matched by (default: the file name)")
    imp.add_argument(
        "--allow-private",
        action="store_true",
        help="let a feed URL, or a redirect from it, reach this machine or a private network",
    )

    events = commands.add_parser("events", help="import events from a CSV or iCalendar (.ics) file")
    events.add_argument("action", choices=["import"])
    events.add_argument("path", help="a .csv in the columns of db/data/event_template.csv, or an .ics file")
    events.add_argument("--source", help="name re-imports are matched by (default: the file name)")

    exp = commands.add_parser("export", help="write the directory to a file")
    exp.add_argument("path", help="file to write, or - for standard output")
    exp.add_argument("--format", choices=["csv", "oruk"], required=True)

    search = commands.add_parser("search", help="search the directory")
    search.add_argument("text", nargs="?", help="what to look for")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true", help="one JSON object per query")
    search.add_argument("--batch", metavar="FILE", help="one query per line; - for standard input")

    cats = commands.add_parser("categories", help="see or correct the needs an asset is filed under")
    cats.add_argument("asset", help="the asset's id, or its id in the source file")
    cats.add_argument("--add", action="append", default=[], metavar="CATEGORY")
    cats.add_argument("--remove", action="append", default=[], metavar="CATEGORY")

    commands.add_parser("classify", help="classify every asset again (after editing the taxonomy)")

    demo_cmd = commands.add_parser("demo", help="load the LLR demo directory and chat with the bot")
    demo_cmd.add_argument("action", nargs="?", choices=["run", "load"], default="run")

    commands.add_parser("chat", help="chat with the bot in this terminal (no token, no network)")

    run = commands.add_parser("run", help="run the bot on Telegram (needs PEOPLEZONES_BOT_TOKEN)")
    run.add_argument("--webhook", metavar="URL", help="receive updates at this public URL instead of polling")
    run.add_argument("--port", type=int, default=8443, help="local port for the webhook (default 8443)")
    run.add_argument("--health-port", type=int, help="with polling: serve GET /health on this port")

    privacy = commands.add_parser("privacy", help="apply the retention settings now (the bot does it daily)")
    privacy.add_argument("action", choices=["retention"])

    langs = commands.add_parser(
        "languages", help="how much of each language is translated and reviewed; look after the catalogues"
    )
    langs.add_argument(
        "action",
        nargs="?",
        default="status",
        choices=["status", "check", "update", "add", "export", "import"],
        help="status (default); check: every problem; update: the catalogues from bot/messages.py; "
        "add CODE: a new language; export CODE: a spreadsheet for a reviewer; "
        "import CODE FILE: their corrections",
    )
    langs.add_argument("code", nargs="?", help="a language code: ur, pa, gu, pl, so, ar ...")
    langs.add_argument(
        "file", nargs="?", help="import: the reviewer's CSV; export: where to write it (default: stdout)"
    )

    data = commands.add_parser("data", help="rebuild the derived reference tables from shared data")
    data.add_argument("action", choices=["derive"])
    data.add_argument("--shared", default="../shared/data", help="folder of the reference data")
    return parser


async def ensure_schema(settings: Settings) -> None:
    """SQLite files are created on first use; PostgreSQL must be upgraded on purpose."""
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        await migrate.upgrade(settings.database_url)
    elif not await migrate.is_current(settings.database_url):
        raise CommandError("the database is not up to date: run `peoplezones db upgrade` first")


async def cmd_db(settings: Settings, args: argparse.Namespace) -> None:
    if args.action == "upgrade":
        revision = await migrate.upgrade(settings.database_url)
        print(f"database is at revision {revision}")
    else:
        current = await migrate.is_current(settings.database_url)
        print("database is up to date" if current else "database needs `peoplezones db upgrade`")


def print_report(report: ImportReport) -> None:
    print(report.summary())
    for where, why in report.rejected:
        print(f"  rejected {where}: {why}")
    for warning in report.warnings():
        print(f"warning: {warning}")


async def cmd_import(settings: Settings, args: argparse.Namespace) -> None:
    await ensure_schema(settings)
    zones = ZoneMap(settings.zones)
    async with open_database(settings.database_url, system_clock) as sessions:
        try:
            report = await import_directory(
                sessions,
                args.location,
                zones,
                fmt=args.format,
                source=args.source,
                show_progress=sys.stderr.isatty(),
                allow_private=args.allow_private,
            )
        except SourceFormatError as exc:
            raise CommandError(f"nothing imported: {exc}") from None
    print_report(report)


async def cmd_events(settings: Settings, args: argparse.Namespace) -> None:
    await ensure_schema(settings)
    path = Path(args.path)
    async with open_database(settings.database_url, system_clock) as sessions:
        try:
            report = await import_event_file(
                sessions, path, args.source or f"file:{path.stem}", ZoneMap(settings.zones),
                system_clock(), settings.tz, settings.reminder_offsets_minutes,
            )  # fmt: skip
        except SourceFormatError as exc:
            raise CommandError(f"nothing imported: {exc}") from None
    print(report.summary())
    for where, why in report.rejected:
        print(f"  rejected {where}: {why}")


async def cmd_export(settings: Settings, args: argparse.Namespace) -> None:
    await ensure_schema(settings)
    writer = write_csv if args.format == "csv" else write_oruk
    async with open_database(settings.database_url, system_clock) as sessions, sessions() as session:
        if args.path == "-":
            count = await writer(all_records(session), sys.stdout)
        else:
            target = Path(args.path)
            temporary = target.with_name(target.name + ".partial")
            with temporary.open("w", encoding="utf-8", newline="") as out:
                count = await writer(all_records(session), out)
            temporary.replace(target)  # never leave a half-written export under the real name
    print(f"exported {messages.counted(count, 'asset')}", file=sys.stderr)


def read_queries(args: argparse.Namespace) -> list[str]:
    if args.batch:
        handle = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
        with handle:
            return [line.rstrip("\n") for line in handle if line.strip()]
    if args.text is None:
        raise CommandError("say what to search for, or give --batch FILE")
    return [args.text]


async def cmd_search(settings: Settings, args: argparse.Namespace) -> None:
    if not 1 <= args.limit <= 100:
        raise CommandError("--limit must be between 1 and 100")
    queries = read_queries(args)
    await ensure_schema(settings)
    async with open_database(settings.database_url, system_clock) as sessions, sessions() as session:
        engine = await load_engine(session, zones=ZoneMap(settings.zones))
    for query in queries:
        hits = engine.search(
            query[:MAX_QUERY_CHARS], limit=args.limit, now=system_clock(), tz=settings.tz
        ).hits
        if args.json:
            results = [
                {
                    "id": h.id,
                    "external_id": h.external_id,
                    "name": h.name,
                    "score": h.score,
                    "why": list(h.why),
                }
                for h in hits
            ]
            print(json.dumps({"query": query, "results": results}, ensure_ascii=False))
        else:
            print(f"{query}:")
            for rank, hit in enumerate(hits, start=1):
                print(f"  {rank:>2}. {hit.name}  ({hit.score:.2f}; {'; '.join(hit.why)})")
            if not hits:
                print("  nothing found")


async def cmd_categories(settings: Settings, args: argparse.Namespace) -> None:
    await ensure_schema(settings)
    async with open_database(settings.database_url, system_clock) as sessions, sessions.begin() as session:
        try:
            view = await correct_categories(session, args.asset, add=args.add, remove=args.remove)
        except CorrectionError as exc:
            raise CommandError(str(exc)) from None
    print(f"{view.name} ({view.asset_id}):")
    for category in view.categories:
        print(f"  {category}")
    if not view.categories:
        print("  no categories")


async def cmd_classify(settings: Settings, args: argparse.Namespace) -> None:
    await ensure_schema(settings)
    async with open_database(settings.database_url, system_clock) as sessions, sessions.begin() as session:
        count = await reclassify_all(session)
    print(f"classified {messages.counted(count, 'asset')}")


async def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    await ensure_schema(settings)
    async with open_database(settings.database_url, system_clock) as sessions:
        report = await demo.load(sessions, ZoneMap(settings.zones))
        events = await demo.load_events(sessions, settings, system_clock())
    print(f"demo directory: {report.summary()}")
    print(f"demo {events.summary()}")
    if args.action == "run":
        await run_chat(settings)


async def cmd_chat(settings: Settings, args: argparse.Namespace) -> None:
    """The terminal chat; an empty directory gets the demo first, so there is something to find."""
    await ensure_schema(settings)
    async with open_database(settings.database_url, system_clock) as sessions:
        if await demo.directory_is_empty(sessions):
            report = await demo.load(sessions, ZoneMap(settings.zones))
            await demo.load_events(sessions, settings, system_clock())
            print(f"the directory was empty, so I loaded the demo: {report.summary()}")
    await run_chat(settings)


def cmd_run(settings: Settings, args: argparse.Namespace) -> None:
    if not settings.bot_token:
        raise CommandError(
            "no bot token: get one from @BotFather on Telegram, then run "
            "`PEOPLEZONES_BOT_TOKEN=123456:ABC... peoplezones run` (or try `peoplezones chat`)"
        )
    logs.protect_logs(settings.bot_token)  # from the first line logged, before anything connects
    asyncio.run(ensure_schema(settings))
    run_telegram(settings, webhook_url=args.webhook, port=args.port, health_port=args.health_port)


async def cmd_privacy(settings: Settings, args: argparse.Namespace) -> None:
    """Blank old need texts, erase inactive residents, delete old sent messages; print the counts."""
    await ensure_schema(settings)
    async with open_database(settings.database_url, system_clock) as sessions, sessions.begin() as session:
        report = await apply_retention(session, system_clock(), settings)
    print(f"retention: {report.summary()}")


def cmd_languages(settings: Settings, args: argparse.Namespace) -> None:
    from bot.i18n import manage
    from bot.i18n.languages import ENGLISH, spoken

    action, code = args.action, args.code
    if action in ("add", "export", "import") and not code:
        raise CommandError(f"languages {action} needs a language code")
    if action in ("export", "import") and code not in spoken():
        raise CommandError(f"there is no catalogue for {code!r} (peoplezones languages add {code})")
    if action == "update":
        print("brought up to date: " + ", ".join(manage.update()))
    elif action == "add":
        try:
            manage.add(code)
        except ValueError as error:
            raise CommandError(str(error)) from error
        print(f"bot/locales/{code}.po written: translate it, then `peoplezones languages check`")
    elif action == "export":
        sheet = manage.export_sheet(code)
        if args.file:
            Path(args.file).write_text(sheet, encoding="utf-8-sig", newline="")
            print(f"written: {args.file}")
        else:
            sys.stdout.write(sheet)
    elif action == "import":
        if not args.file:
            raise CommandError("languages import needs the reviewer's CSV file")
        try:
            with open(args.file, encoding="utf-8-sig", newline="") as corrections:
                result = manage.import_sheet(code, csv.DictReader(corrections))
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"{args.file} could not be read: {error}") from error
        if result.bad_rows:
            print("\n".join(result.bad_rows))
            raise CommandError(f"nothing imported: {len(result.bad_rows)} rows need correcting first")
        print(f"{code}: {result.changed} translations changed, {result.reviewed} marked reviewed")
    else:
        codes = [c for c in spoken() if c != ENGLISH]
        print(f"{'language':24} {'translated':>14} {'reviewed':>14}  problems")
        found = 0
        for c in codes:
            report = manage.progress(c)
            found += len(report.problems)
            name = f"{spoken()[c].own_name} ({c})"
            translated = f"{report.translated}/{report.total}"
            reviewed = f"{report.reviewed}/{report.total}"
            print(f"{name:24} {translated:>14} {reviewed:>14}  {len(report.problems)}")
            if action == "check":
                for problem in report.problems:
                    print(f"    {problem}")
        print("Reviewed: checked by a speaker of the language. The rest are drafts.")
        if action == "check" and found:
            raise CommandError(f"{found} problems in the catalogues")


def cmd_data(settings: Settings, args: argparse.Namespace) -> None:
    from db.reference.build import main as derive_reference

    if derive_reference(["--shared", args.shared]) != 0:
        raise CommandError("the reference tables were not rebuilt (see above)")


COMMANDS = {
    "db": cmd_db,
    "import": cmd_import,
    "events": cmd_events,
    "export": cmd_export,
    "search": cmd_search,
    "categories": cmd_categories,
    "classify": cmd_classify,
    "demo": cmd_demo,
    "chat": cmd_chat,
    "privacy": cmd_privacy,
}


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        if args.command == "data":
            cmd_data(settings, args)
        elif args.command == "languages":
            cmd_languages(settings, args)
        elif args.command == "run":
            cmd_run(settings, args)
        else:
            asyncio.run(COMMANDS[args.command](settings, args))
        sys.stdout.flush()  # while a closed pipe can still be caught here, not at exit
    except (ConfigError, CommandError) as exc:
        print(f"peoplezones: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return reader_went_away()
    return 0


def reader_went_away() -> int:
    """Whoever read standard output closed it (`| head`): stop quietly, as Unix tools do."""
    # Python flushes standard output once more at exit: let that go nowhere, not to a traceback
    # (nothing to do when standard output is not a file descriptor, as in-process)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141  # 128 + SIGPIPE: what a shell reports for a tool stopped by a closed pipe
