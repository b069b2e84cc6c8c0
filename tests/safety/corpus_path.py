"""Where the evaluation corpus lives: the parts tuned and trained on, and the held-out one."""

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
HELDOUT = CORPUS / "heldout.yaml"


def tuning_files() -> list[Path]:
    """What the rules were tuned on and the model trained on: tune.yaml and train_*.yaml."""
    return [CORPUS / "tune.yaml", *sorted(CORPUS.glob("train_*.yaml"))]
