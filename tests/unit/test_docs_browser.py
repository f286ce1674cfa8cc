"""The catalog in a real browser: Debian's Chromium, headless, renders a topic page; the
DOM it built holds the fields, entities and treatments, and the screenshot shows the PII
badges (counted by their colour) on the page with personal data and none on the page
without."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from pipeline.tools.main import main
from tests.support import REPO

SHOP = REPO / "schemas" / "shop"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ENTITY_RED = (0xC6, 0x28, 0x28)  # .entity in pipeline/contracts/catalog.CSS
FREE_ORANGE = (0xEF, 0x6C, 0x00)  # .free

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # tests may run as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1200,1600",
        *args,
    ]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def pixels(path: Path, colour: tuple[int, int, int]) -> int:
    with Image.open(path) as img:
        return sum(1 for p in img.convert("RGB").getdata() if p == colour)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert main(["docs", str(SHOP), "--out", str(out)]) == 0
    return out


def test_rendered_dom_has_the_contract(site: Path, tmp_path: Path) -> None:
    done = chromium(tmp_path, "--dump-dom", (site / "cdr.shop.customers.html").as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for text in (
        "cdr.shop.customers",
        "payments-core",
        "EMAIL_ADDRESS",
        "mask(keep_first=1)",
        "redact_detected",
        "Example treated record",
    ):
        assert text in dom, text


def test_screenshot_shows_pii_badges_only_where_there_is_pii(site: Path, tmp_path: Path) -> None:
    counts = {}
    for topic in ("cdr.shop.customers", "cdr.shop.fx_rates"):
        shot = tmp_path / f"{topic}.png"
        done = chromium(tmp_path, f"--screenshot={shot}", (site / f"{topic}.html").as_uri())
        assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
        with Image.open(shot) as img:
            assert img.size == (1200, 1600)
        counts[topic] = (pixels(shot, ENTITY_RED), pixels(shot, FREE_ORANGE))
    red, orange = counts["cdr.shop.customers"]
    assert red > 2000 and orange > 200  # 11 entity badges (fields and JSON leaves), one free_text
    assert counts["cdr.shop.fx_rates"] == (0, 0)  # no personal data: no badge
