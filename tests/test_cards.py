"""The gallery's cards kept on disk (`optviz.cards`): drawn once per link and version, read
back equal, drawn again when OptViz's files or libraries change, and never an error when the
folder is off, unwritable or holds something else."""

from __future__ import annotations

import pytest

from optviz import cards, export, simulate
from optviz.cards import Card
from optviz.presets import PRESETS
from optviz.summary import map_text

CARD = Card(b"\x89PNG picture", "Map of Rosenbrock", ("sgd lr=0.001 ends at (1, 1)", "adam stalls"))


class Drawing:
    """A ``drawn`` callable that counts its calls."""

    def __init__(self, card: Card = CARD) -> None:
        self.card, self.calls = card, 0

    def __call__(self) -> Card:
        self.calls += 1
        return self.card


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTVIZ_CARDS", str(tmp_path / "cards"))
    return tmp_path / "cards"


def test_a_presets_card_is_its_thumbnail_and_map_text_drawn_once_then_read_back(folder):
    preset = next(iter(PRESETS.values()))
    drawing = Drawing(cards.draw(simulate(preset.scenario)))
    first = cards.kept(preset.link, drawing)
    again = cards.kept(preset.link, Drawing(CARD))  # read from disk: this drawing is never made
    assert drawing.calls == 1 and again == first and len(list(folder.iterdir())) == 1
    result = simulate(preset.scenario)
    assert first.png == export.thumbnail(result)
    title, lines = map_text(result)
    assert first.alt == f"{title}. {'; '.join(lines)}."


def test_another_link_or_another_version_is_drawn_again(folder, monkeypatch):
    drawing = Drawing()
    cards.kept("surface=beale", drawing)
    cards.kept("surface=booth", drawing)
    monkeypatch.setattr(cards, "fingerprint", lambda: "another version")
    cards.kept("surface=beale", drawing)
    assert drawing.calls == 3 and len(list(folder.iterdir())) == 3


def test_the_fingerprint_follows_the_files_and_the_libraries(tmp_path):
    source = tmp_path / "optviz"
    (source / "__pycache__").mkdir(parents=True)
    (source / "engine.py").write_text("STEP = 1\n")
    fingerprint = cards.fingerprint.__wrapped__
    before = fingerprint((source,), ("numpy",))
    (source / "__pycache__" / "engine.cpython-311.pyc").write_bytes(b"compiled")
    assert fingerprint((source,), ("numpy",)) == before  # caches are not sources
    (source / "engine.py").write_text("STEP = 2\n")
    changed = fingerprint((source,), ("numpy",))
    assert changed != before and fingerprint((source,), ("numpy", "optax")) != changed
    (source / "engine.py").rename(source / "kernel.py")
    assert fingerprint((source,), ("numpy",)) != changed  # a file's name counts too


def test_off_unwritable_or_broken_folders_draw_without_error(tmp_path, monkeypatch, folder):
    drawing = Drawing()
    cards.kept("surface=beale", drawing)
    (path,) = folder.iterdir()
    path.write_text("{not a card")
    assert cards.kept("surface=beale", drawing) == CARD and drawing.calls == 2
    assert Card.from_json(path.read_text()) == CARD  # drawn again and kept again

    monkeypatch.setenv("OPTVIZ_CARDS", "off")
    assert cards.kept("surface=beale", drawing) == CARD and drawing.calls == 3

    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("OPTVIZ_CARDS", str(blocker / "cards"))  # a folder under a file cannot be made
    assert cards.kept("surface=beale", drawing) == CARD and drawing.calls == 4


def test_the_image_build_step_draws_every_presets_card(folder, monkeypatch, capsys):
    two = dict(list(PRESETS.items())[:2])
    monkeypatch.setattr("optviz.presets.PRESETS", two)
    cards.main()
    assert len(list(folder.iterdir())) == 2 and capsys.readouterr().out == f"2 cards in {folder}\n"
    for preset in two.values():
        assert cards.kept(preset.link, Drawing()).png == export.thumbnail(simulate(preset.scenario))
