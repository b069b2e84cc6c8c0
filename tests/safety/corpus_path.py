"""Where the evaluation corpus lives: the parts tuned and trained on, and the held-out one.

English keeps the top of corpus/; every other locale brings its own under
corpus/<locale>/ (the same file names), so a language adds files, not code."""

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
HELDOUT = CORPUS / "heldout.yaml"
ENGLISH = "en"


def corpus_dir(locale: str = ENGLISH) -> Path:
    return CORPUS if locale == ENGLISH else CORPUS / locale


def tuning_files(locale: str = ENGLISH) -> list[Path]:
    """What the rules were tuned on and the model trained on: tune.yaml and train_*.yaml."""
    folder = corpus_dir(locale)
    return [folder / "tune.yaml", *sorted(folder.glob("train_*.yaml"))]


def heldout(locale: str = ENGLISH) -> Path:
    """The part written apart and never tuned on."""
    return corpus_dir(locale) / "heldout.yaml"


def corpus_locales() -> list[str]:
    """English, and every locale with a corpus folder of its own."""
    return [
        ENGLISH,
        *sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and (p / "heldout.yaml").exists()),
    ]
