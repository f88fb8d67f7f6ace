"""Issue 14 item 3: the patient handout, as HTML (Jinja2) and as a tagged PDF (Typst).

It says what to take when (weekday, clock time, the tablet and its strength), what to do about
a missed dose, the withdrawal warning and when to get help, drowsiness and driving; its reading
grade is at most 8 (Flesch-Kincaid, textstat); the PDF's text is extracted and its first page
drawn (a person looked at /work/tools/handout.png, see docs/handouts.md)."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import textstat

from baclofen_dose import plan_taper, plan_titration
from baclofen_dose.cli import main
from baclofen_dose.oral.patient import Patient
from baclofen_dose.render import handout
from baclofen_dose.render.handout import handout_data, to_html, to_pdf
from tests.ismp import assert_clean
from tests.printed import flat

TIMES = ["08:00", "12:00", "16:00", "20:00"]
GRADE_MAX = 8


class _Page(HTMLParser):
    """The text of an HTML page, the language, and the tags met."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.lang = ""
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.open.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "style" not in self.open:  # the page's styles are not text a reader sees
            self.parts.append(data)

    @property
    def text(self) -> str:
        return flat(" ".join(self.parts))


def _read(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def _taper(product: str | None = None):  # type: ignore[no-untyped-def]
    kwargs = {} if product is None else {"product": product}
    return plan_taper(dose="20 mg", times_per_day=4, start="2026-03-02", **kwargs)


def test_must_show_html_names_the_tablet_and_the_times() -> None:
    """The issue's taper: the HTML names the tablet the plan uses (with --product "20 mg
    tablet": the 20 mg tablet), every clock time, the weekdays, the stop day, the missed-dose
    rule (2 hours), the withdrawal warning and driving."""
    page = _read(to_html(_taper("20 mg tablet"), times=TIMES))
    text = page.text
    assert page.lang == "en" and {"h1", "h2", "table", "th", "title"} <= set(page.tags)
    assert "20 mg tablet" in text
    for time in TIMES:
        assert time in text
    assert "From Mon 2 March 2026 to Wed 4 March 2026" in text
    assert "stop taking baclofen" in text
    assert "less than 2 hours before your next dose" in text
    assert "Do not stop baclofen suddenly" in text
    assert "Do not drive or use machines" in text
    assert_clean(text)


def test_the_default_taper_names_the_tablet_it_chose() -> None:
    text = _read(to_html(_taper(), times=TIMES)).text
    assert "Your medicine: 10 mg tablet (scored: whole or half tablets)." in text
    assert "one and a half 10 mg tablets (15 mg)" in text


@pytest.mark.parametrize(
    "plan",
    [
        _taper(),
        _taper("20 mg tablet"),
        plan_titration(start="2026-01-05", target="60 mg/day"),
        plan_titration(start="2026-01-05", target="60 mg/day", product=["10 mg tablet"]),
    ],
    ids=["taper", "taper-20-mg", "titration", "titration-10-mg"],
)
def test_reading_grade_is_at_most_8(plan) -> None:  # type: ignore[no-untyped-def]
    """Flesch-Kincaid grade of the whole handout's text, as a reader gets it."""
    times = TIMES if plan.steps[0].regimen.times_per_day == len(TIMES) else None
    text = _read(to_html(plan, times=times)).text
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= GRADE_MAX, (grade, text)


def test_without_times_the_doses_are_numbered() -> None:
    data = handout_data(plan_titration(start="2026-01-05", target="60 mg/day"))
    assert data["headers"] == ["Dose", "Take"]
    assert data["steps"][0]["doses"][0] == {"time": "1st dose", "take": "5 mg"}
    assert data["stop"] is None


def test_pregnancy_is_shown_only_when_stated() -> None:
    """Nothing is assumed: the pregnancy text appears when the patient data says so."""
    said = Patient.from_inputs(
        age="30 years",
        sex="female",
        weight="60 kg",
        height=None,
        scr="0.8 mg/dL",
        dialysis=False,
        pregnant=True,
    )
    with_it = to_html(plan_titration(start="2026-01-05", target="30 mg/day", patient=said))
    without = to_html(plan_titration(start="2026-01-05", target="30 mg/day"))
    assert "Pregnancy:" in with_it and "Pregnancy:" not in without


def test_html_is_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autoescape is on: a text with markup in it is shown, never run."""
    real = handout.handout_data

    def marked(*args, **kwargs):  # type: ignore[no-untyped-def]
        data = real(*args, **kwargs)
        data["title"] = "<script>alert(1)</script>"
        return data

    monkeypatch.setattr(handout, "handout_data", marked)
    page = to_html(_taper())
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_pdf_text_metadata_and_first_page(tmp_path: Path) -> None:
    """The PDF is tagged (PDF/UA-1: structure tree, language, title), its text has the 20 mg
    tablet, the clock times and the withdrawal warning, and its first page draws."""
    pdf = to_pdf(_taper("20 mg tablet"), times=TIMES)
    assert pdf == to_pdf(_taper("20 mg tablet"), times=TIMES)  # fixed timestamp
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata is not None and reader.metadata.title == "Your baclofen plan: coming off slowly"
    text = flat(" ".join(page.extract_text() for page in reader.pages).replace("\xa0", " "))
    assert "20 mg tablet" in text
    for time in TIMES:
        assert time in text
    assert "Do not stop baclofen suddenly" in text
    assert "From Mon 2 March 2026 to Wed 4 March 2026" in text
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil()
    assert image.size[0] in (595, 596) and image.size[1] == 842  # A4: 595.28 x 841.89 points
    image.save(tmp_path / "handout.png")
    assert (tmp_path / "handout.png").stat().st_size > 10_000


def test_cli_html_and_pdf(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = [
        "taper",
        "--from",
        "20 mg",
        "--times-per-day",
        "4",
        "--start",
        "2026-03-02",
        "--times",
        ",".join(TIMES),
    ]
    assert main([*base, "--format", "html"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("<!DOCTYPE html>") and "10 mg tablet" in out
    assert main([*base, "--format", "pdf"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "give -o FILE" in err
    target = tmp_path / "plan.pdf"
    assert main([*base, "--format", "pdf", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF-")
    assert main([*base, "--format", "pdf", "-o", str(tmp_path / "no" / "such.pdf")]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("baclofen-dose: error: --output")


def test_dash_output_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``-o -`` means standard output, never a file named "-": text to the screen; a PDF into
    a pipe, never onto a terminal."""
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    base = [sys.executable, "-m", "baclofen_dose", "taper", "--from", "20 mg",
            "--times-per-day", "4", "--start", "2026-03-02"]  # fmt: skip
    text = subprocess.run([*base, "-o", "-"], capture_output=True, check=True)
    assert text.stdout.decode().startswith("Baclofen by mouth: taper")
    pdf = subprocess.run([*base, "--format", "pdf", "-o", "-"], capture_output=True, check=True)
    assert pdf.stdout.startswith(b"%PDF-")
    assert not (tmp_path / "-").exists()
