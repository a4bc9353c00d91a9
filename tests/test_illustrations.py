"""The built-in pictures: drawn by tools/draw_illustrations.py, with the limbs that work in
colour on the side the steps name, and a deploy that redraws them never leaves a client's
cached page pointing at the old ones."""

import importlib.util

import pytest
from django.conf import settings

from aftercare import link_page
from exercises import library

ILLUSTRATIONS = settings.BASE_DIR / "static" / "exercises" / "illustrations"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("draw_illustrations", settings.BASE_DIR / "tools" / "draw_illustrations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pictures_in_the_repository_are_the_ones_the_tool_draws(tool):
    for row in library.EXERCISES:
        drawn = tool.render(row["name"], tool.draw(row["slug"]))
        assert (ILLUSTRATIONS / row["illustration"]).read_text(encoding="utf-8") == drawn, (
            f"{row['slug']}: run python tools/draw_illustrations.py"
        )


def test_every_picture_says_which_limbs_work(tool):
    assert set(tool.WORKING) == {row["slug"] for row in library.EXERCISES}
    for row in library.EXERCISES:
        svg = (ILLUSTRATIONS / row["illustration"]).read_text(encoding="utf-8")
        if tool.WORKING[row["slug"]]:
            assert tool.WORK in svg, row["slug"]
        else:
            assert tool.WORK not in svg and tool.WORK_FAR not in svg, row["slug"]


def test_one_side_at_a_time_colours_one_side(tool):
    """"Each side in turn" colours the limbs of one side (a side view's near or far, or one
    of a front view's two), never both arms or both legs, unless both go together to the
    side the text names."""
    together = {"lying-spinal-twist"}  # both knees fall to the right
    for row in library.EXERCISES:
        if row["side"] != "each" or row["slug"] in together:
            continue
        parts = tool.WORKING[row["slug"]].split()
        for limb in ("arm", "leg"):
            mine = {p for p in parts if p.removeprefix("far_").startswith(limb)}
            assert len(mine) <= 1, row["slug"]


def test_most_things_a_client_does_with_one_side_show_which(tool):
    each = [row["slug"] for row in library.EXERCISES if row["side"] == "each"]
    coloured = [slug for slug in each if tool.WORKING[slug]]
    # The few left are the head and neck releases, where the patch shows the side.
    assert len(coloured) >= len(each) - 2, sorted(set(each) - set(coloured))


def test_a_redrawn_picture_changes_the_link_pages_release(monkeypatch):
    link_page._release.cache_clear()
    before = link_page._release()
    real = link_page.static

    def redrawn(path):
        url = real(path)
        return url.replace(".svg", ".0123abcd.svg") if path.endswith("dead-bug.svg") else url

    monkeypatch.setattr(link_page, "static", redrawn)
    link_page._release.cache_clear()
    try:
        assert link_page._release() != before
    finally:
        monkeypatch.undo()
        link_page._release.cache_clear()
