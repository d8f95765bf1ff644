"""`winbot points`, `winbot locations` and `winbot visits` against a SQLite database in a temporary var dir."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from core.db.models import MobileTeamVisit, VisitStatus
from core.db.session import make_engine, make_session_factory
from core.helppoints.registry import SEED_CSV

LOCATIONS = (
    "code,name,operator,address,postcode,city,municipality,region,lat,lon,approximate\n"
    "bosrand1,Park De Bosrand,Flex Wonen BV,Bosweg 1,5912 AB,Venlo,,,,,\n"
)


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WINBOT_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def winbot(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def visits(var_dir: Path) -> list[MobileTeamVisit]:
    engine = make_engine(f"sqlite:///{var_dir / 'winbot.db'}")
    with make_session_factory(engine)() as db:
        found = list(db.scalars(select(MobileTeamVisit).order_by(MobileTeamVisit.id)))
    engine.dispose()
    return found


def test_points_seed_export_and_import(var_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert winbot(capsys, "points", "seed")[1].startswith("points: 38 added")
    assert "not empty" in winbot(capsys, "points", "seed")[1]
    code, out, _ = winbot(capsys, "points", "export")
    assert code == 0 and out == SEED_CSV.read_text(encoding="utf-8")

    exported = var_dir / "points.csv"
    assert winbot(capsys, "points", "export", "--output", str(exported))[1] == f"38 points written to {exported}\n"
    edited = exported.read_text(encoding="utf-8").replace("RNI desk Venlo", "RNI-loket Venlo")
    exported.write_text(edited, encoding="utf-8")
    assert winbot(capsys, "points", "import", str(exported))[1] == "points: 0 created, 1 updated, 37 unchanged\n"


def test_a_bad_points_file_is_rejected_whole(var_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    winbot(capsys, "points", "seed")
    before = winbot(capsys, "points", "export")[1]
    lines = before.splitlines()
    lines[1] = lines[1].replace("Helmond-De Peel,", "Helmond-De Peel (renamed),", 1)  # valid
    lines[3] = lines[3].replace(",information_point,", ",kiosk,")                     # line 4: invalid
    bad = var_dir / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = winbot(capsys, "points", "import", str(bad))
    assert code == 1
    assert "rejected, nothing changed" in err and "line 4: kind 'kiosk'" in err
    assert winbot(capsys, "points", "export")[1] == before
    assert winbot(capsys, "points", "import", str(var_dir / "missing.csv"))[0] == 1


def test_locations_and_visits(var_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = var_dir / "locations.csv"
    file.write_text(LOCATIONS, encoding="utf-8")
    assert winbot(capsys, "locations", "import", str(file))[1] == "locations: 1 created, 0 updated, 0 unchanged\n"
    code, out, _ = winbot(capsys, "locations", "export")
    assert code == 0
    assert "bosrand1,Park De Bosrand,Flex Wonen BV,Bosweg 1,5912 AB,Venlo,Venlo,Noord-Limburg," in out

    code, out, _ = winbot(capsys, "visits", "add", "--location", "bosrand1", "--start", "2030-12-03T17:00",
                          "--end", "2030-12-03T19:00", "--team", "BMIP team", "--languages", "pl,ro",
                          "--topics", "housing,work")
    assert code == 0 and out.startswith("visit 1 planned: bosrand1 (Park De Bosrand) | Tuesday 3 December, 17:00–19:00")
    assert visits(var_dir)[0].starts_at == dt.datetime(2030, 12, 3, 16, 0, tzinfo=dt.UTC)  # Amsterdam -> UTC
    winbot(capsys, "visits", "add", "--location", "bosrand1", "--start", "2030-12-04T10:00+00:00",
           "--end", "2030-12-04T12:00+00:00", "--team", "B")
    assert visits(var_dir)[1].starts_at.hour == 10  # an offset is respected

    code, out, _ = winbot(capsys, "visits", "list", "--location", "bosrand1", "--weeks", "1000")
    assert code == 0 and [line.split()[:2] for line in out.splitlines()] == [["1", "planned"], ["2", "planned"]]
    assert "11:00–13:00" in out  # shown in Amsterdam time

    assert "visit 1 changed" in winbot(capsys, "visits", "change", "1", "--team", "BMIP West")[1]
    assert winbot(capsys, "visits", "cancel", "2", "--note", "team ill")[1].startswith("visit 2 cancelled")
    assert [v.status for v in visits(var_dir)] == [VisitStatus.CHANGED, VisitStatus.CANCELLED]
    out = winbot(capsys, "visits", "list", "--weeks", "1000")[1]
    assert "cancelled" not in out and "BMIP West" in out
    assert "team ill" in winbot(capsys, "visits", "list", "--weeks", "1000", "--all")[1]


def test_visit_input_errors(var_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = var_dir / "locations.csv"
    file.write_text(LOCATIONS, encoding="utf-8")
    winbot(capsys, "locations", "import", str(file))
    code, _, err = winbot(capsys, "visits", "add", "--location", "nowhere", "--start", "2030-12-03T17:00",
                          "--end", "2030-12-03T19:00", "--team", "T")
    assert code == 1 and "no housing location with code 'nowhere'" in err
    code, _, err = winbot(capsys, "visits", "add", "--location", "bosrand1", "--start", "2030-10-27T02:30",
                          "--end", "2030-10-27T04:00", "--team", "T")
    assert code == 1 and "happens twice" in err
    assert winbot(capsys, "visits", "cancel", "42")[0] == 1
    assert winbot(capsys, "visits", "list")[1] == "no upcoming visits\n"
    assert visits(var_dir) == []


def test_qr_code_for_a_location_with_a_multilingual_caption(var_dir: Path, capsys, monkeypatch) -> None:
    from PIL import Image

    from core.content.help_messages import QR_CAPTION
    from core.i18n import LANGUAGES, gettext, use_locale

    csv = var_dir / "locations.csv"
    csv.write_text(LOCATIONS, encoding="utf-8")
    assert winbot(capsys, "locations", "import", str(csv))[0] == 0
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "winbot_test_bot")
    code, out, _ = winbot(capsys, "locations", "qr", "bosrand1", "--out-dir", str(var_dir / "qr"))
    assert code == 0 and "https://t.me/winbot_test_bot?start=loc_bosrand1" in out
    svg = (var_dir / "qr" / "bosrand1.svg").read_text(encoding="utf-8")
    for language in LANGUAGES:
        with use_locale(language):
            assert gettext(QR_CAPTION).replace('"', "&quot;").split("&")[0] in svg
    assert "Park De Bosrand" in svg
    with Image.open(var_dir / "qr" / "bosrand1.png") as image:
        assert image.width >= 300 and image.height >= 300 + 8 * 30  # the code, then nine caption lines
    assert winbot(capsys, "locations", "qr", "nosuchplace", "--out-dir", str(var_dir / "qr"))[0] == 1
    monkeypatch.setenv("WHATSAPP_DISPLAY_NUMBER", "+31 6 1234 5678")
    code, out, _ = winbot(capsys, "locations", "qr", "bosrand1", "--channel", "whatsapp", "--out-dir", str(var_dir))
    assert code == 0 and "https://wa.me/31612345678?text=%2Fstart%20loc_bosrand1" in out


def test_announcements_from_the_command_line(var_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`winbot visits add/change/cancel` queue the same announcements as the console; preview, send and status."""
    from core.db.models import Job, Subscription, User

    file = var_dir / "locations.csv"
    file.write_text(LOCATIONS, encoding="utf-8")
    winbot(capsys, "locations", "import", str(file))
    engine = make_engine(f"sqlite:///{var_dir / 'winbot.db'}")
    sessions = make_session_factory(engine)
    with sessions() as db:
        db.add_all([User(id="te-1", channel="telegram", language="pl"), User(id="we-1", channel="web", language="nl")])
        db.flush()
        db.add_all([Subscription(user_id="te-1", location_id=1), Subscription(user_id="we-1", location_id=1)])
        db.commit()

    code, out, err = winbot(capsys, "visits", "add", "--location", "bosrand1", "--start", "2030-12-03T17:00",
                            "--end", "2030-12-03T19:00", "--team", "BMIP", "--note", "Przynieś umowę",
                            "--note-languages", "pl", "--hold")
    assert code == 0, err
    assert "not announced yet: `winbot announcements send 1`" in out
    code, out, _ = winbot(capsys, "announcements", "preview", "1")
    assert code == 0 and "announcement would go to 2 resident(s) now" in out
    assert "telegram  pl  1" in out and "web       nl  1" in out
    assert out.count("Przynieś umowę") == 2  # the visit line, and the Polish preview only
    for heading in ("--- pl ---", "--- ro ---", "--- bg ---", "--- uk ---", "--- en ---", "--- nl ---"):
        assert heading in out
    assert "Het mobiele team komt naar Park De Bosrand." in out
    code, out, _ = winbot(capsys, "announcements", "send", "1", "--at", "2030-12-01T10:00")
    assert code == 0 and "announcement to 2 subscriber(s) at 01/12/2030, 10:00" in out
    assert winbot(capsys, "announcements", "status")[1] == "nothing in the outbox\n"
    with sessions() as db:
        assert [job.task for job in db.query(Job)] == ["announcements.fanout"]
    code, _, err = winbot(capsys, "visits", "add", "--location", "bosrand1", "--start", "2030-12-03T17:00",
                          "--end", "2030-12-03T19:00", "--team", "BMIP", "--note-languages", "pl,xx", "--note", "x")
    assert code == 1 and "note languages" in err
    assert winbot(capsys, "visits", "cancel", "1")[0] == 0
    assert winbot(capsys, "announcements", "send", "1")[0] == 1  # cancelled
    engine.dispose()
