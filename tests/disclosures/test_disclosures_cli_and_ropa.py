"""CSV import of records and the record of processing export (read back with openpyxl, compared with the map)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from mamori.catalog.mapfile import load_map
from mamori.disclosures.models import RecordPerson, TransferRecord

from .conftest import EXAMPLES, apply_example

HEADER = "client_key,recipient,transferred_on,consent_document,categories,identity.email,identity.phone\n"


def run_import(tmp_path: Path, text: str | bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "records.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    try:
        call_command("records", "import", str(path), "--organisation", "picocela", "--direction", "provision")
    except SystemExit as exc:
        return int(exc.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().out


def test_csv_import_groups_lines_by_client_key(db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    apply_example("picocela")
    text = HEADER + "".join(
        f"prize-1,prize-providers,2026-11-29,entry form,contact.name contact.phone,"
        f"p{n}@example.jp,+81 90-0000-{n:04d}\n"
        for n in range(3)
    )
    status, out = run_import(tmp_path, text, capsys)
    assert status == 0 and "1 record(s) stored" in out
    record = TransferRecord.objects.get()
    assert record.people_count == 3 and record.channel == "csv"
    assert record.categories == ["contact.name", "contact.phone"]
    assert RecordPerson.objects.count() == 6  # e-mail and phone of each person
    status, out = run_import(tmp_path, text, capsys)
    assert status == 0 and "1 already there" in out


def test_csv_import_names_the_line_of_each_problem_and_stores_nothing(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apply_example("picocela")
    text = HEADER + (
        "a,advertisers,2026-11-29,form,contact.name,a@example.jp,\n"
        "b,contractors,2026-11-29,,contact.name,b@example.jp,\n"
        "a,advertisers,2026-11-29,form,contact.name,,\n"
    )
    status, err = run_import(tmp_path, text, capsys)
    assert status == 1
    assert "records.csv:3: record 1.recipient: entrustment to a processor" in err
    assert "records.csv:4: record 0.people[1]: each person needs 'identities'" in err
    assert TransferRecord.objects.count() == 0
    status, err = run_import(tmp_path, HEADER.encode() + b"a,advertisers,2026-11-29,f\x00,x,a@b.jp,\n", capsys)
    assert status == 1 and "records.csv:2" in err and "NUL" in err
    status, err = run_import(tmp_path, "client_key,surname\nx,Sato\n", capsys)
    assert status == 1 and "unknown column(s): surname" in err


@pytest.mark.parametrize("org", ["inpro", "picocela", "onemall"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_ropa_xlsx_reads_back_and_matches_the_map(
    db: None, tmp_path: Path, org: str, lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    apply_example(org)
    out = tmp_path / "ropa.xlsx"
    call_command("ropa", "export", org, "--format", "xlsx", "--lang", lang, "--out", str(out))
    privacy_map = load_map([EXAMPLES / org]).map
    assert privacy_map is not None
    book = load_workbook(out)
    assert len(book.sheetnames) == 4
    front, activities, recipients, inventory = (book[name] for name in book.sheetnames)
    front_values = {row[0]: row[1] for row in front.iter_rows(min_row=2, values_only=True)}
    assert privacy_map.organisation.legal_name.get(lang) in front_values.values()
    assert f"{org} v1" in " ".join(str(v) for v in front_values.values())
    purposes = [row[0] for row in activities.iter_rows(min_row=2, values_only=True)]
    assert purposes == [purpose.name.get(lang) for purpose in privacy_map.purposes]
    for row, purpose in zip(activities.iter_rows(min_row=2, values_only=True), privacy_map.purposes, strict=True):
        for ident in purpose.categories:
            assert privacy_map.category(ident).name.get(lang) in (row[4] or "")
    names = [row[0] for row in recipients.iter_rows(min_row=2, values_only=True)]
    assert names == [recipient.name.get(lang) for recipient in privacy_map.recipients]
    countries = [row[2] for row in recipients.iter_rows(min_row=2, values_only=True)]
    known = [r.country for r in privacy_map.recipients if r.country != "unknown"]
    assert [c for c in countries if len(c) == 2] == known
    items = [row[0] for row in inventory.iter_rows(min_row=2, values_only=True)]
    assert items == [category.name.get(lang) for category in privacy_map.data_categories]
    if lang == "ja":
        assert inventory.title == "個人データ管理台帳"


def test_ropa_html_from_a_path_is_marked_not_applied(db: None, tmp_path: Path) -> None:
    out = tmp_path / "ropa.html"
    call_command("ropa", "export", str(EXAMPLES / "inpro"), "--format", "html", "--lang", "ja", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "処理活動の記録" in html and "個人データ管理台帳" in html and "inpro v0" in html and "未適用" in html
    assert "外国にある通訳者・観光ガイド" in html
