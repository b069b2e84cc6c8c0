"""Where the evaluation corpus lives."""

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
TUNE, HELDOUT = CORPUS / "tune.yaml", CORPUS / "heldout.yaml"
