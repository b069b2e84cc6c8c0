"""Build playground/web/emoji.ttf: the colour emoji the bot and the page use.

Chromium on a bare Debian has no colour-emoji font and draws the bot's 🔒, 🤝
and 💌 as empty boxes. The page therefore ships the few emoji it needs, cut
from Noto Color Emoji (SIL Open Font License 1.1, see playground/web/emoji-OFL.txt),
which Debian packages as fonts-noto-color-emoji. The cut holds only what the
texts, the bot and the page use (about 60 KB instead of 10 MB); run this again
after adding an emoji (tests/playground/test_page.py says when):

    apt-get download fonts-noto-color-emoji
    dpkg-deb -x fonts-noto-color-emoji_*.deb /tmp/noto
    .venv/bin/python -m playground.emoji_font \
        /tmp/noto/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

(or with no argument once `apt-get install fonts-noto-color-emoji` has put it in place).
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "playground" / "web" / "emoji.ttf"
INSTALLED = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
SOURCES = ("content", "bot", "flows", "playground/web", "playground/emulator")
SUFFIXES = {".yaml", ".py", ".js", ".html"}
# Symbols Noto Color Emoji has no glyph for: plain text marks every text font draws.
TEXT_SYMBOLS = frozenset("✓✗○◐✎")
JOINERS = "\u200d\ufe0f"  # zero-width joiner, emoji presentation selector


def symbols_in_sources(root: Path = ROOT) -> set[str]:
    """Every pictograph (Unicode 'Symbol, other' from U+2000 on) the texts, bot and page use."""
    found: set[str] = set()
    for folder in SOURCES:
        for path in (root / folder).rglob("*"):
            if path.suffix in SUFFIXES and path.is_file():
                text = path.read_text(encoding="utf-8", errors="ignore")
                found.update(ch for ch in text if _pictograph(ch))
    return found


def _pictograph(ch: str) -> bool:
    return ord(ch) >= 0x2000 and unicodedata.category(ch) == "So"


def covered(font: Path = FONT) -> set[str]:
    with TTFont(font) as loaded:
        return {chr(code) for code in loaded.getBestCmap()}


def build(noto: Path, out: Path = FONT) -> set[str]:
    """Cut the emoji in use out of *noto* into *out*; returns the symbols it had no glyph for."""
    wanted = symbols_in_sources()
    available = covered(noto)
    options = subset.Options()
    options.drop_tables += ["DSIG"]
    options.name_IDs = ["*"]  # keep the copyright and licence records
    font = subset.load_font(str(noto), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in (wanted & available) | set(JOINERS)])
    subsetter.subset(font)
    subset.save_font(font, str(out), options)
    return wanted - available


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m playground.emoji_font",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "noto",
        nargs="?",
        type=Path,
        default=INSTALLED,
        help="NotoColorEmoji.ttf (default: where Debian installs it)",
    )
    missing = build(parser.parse_args(argv).noto)
    print(f"wrote {FONT} ({FONT.stat().st_size // 1024} KB)")
    if missing - TEXT_SYMBOLS:
        print("no colour glyph for:", " ".join(sorted(missing - TEXT_SYMBOLS)))


if __name__ == "__main__":
    main()
