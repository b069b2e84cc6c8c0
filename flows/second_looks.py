"""What a gentle second look at someone's words looks for (see ``SecondLook`` in the engine).

Three finders, pure and forgiving about case, apostrophes and punctuation:

- :func:`find_excuse`: words that may hand blame back to the partner ("because
  you", "you made me", "what did you expect"), make it smaller ("it was only
  a", "meant nothing") or justify it ("but", "only because", "I had no choice").
- :func:`find_own_side`: a listener's reflection that adds their own side
  ("but I was drowning too", "that's not what happened"), besides any excuse.
- :func:`find_vague_change`: a change no one could see ("I will try to be more
  honest"), where the question asked for something observable.

Each returns the first words found, so the bot can quote them back, or None.
Finding some never refuses an answer; the flow asks once and lets the writer
choose. The patterns are grouped by what the words mean, not by spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_YOU_DID = (
    r"had|hadn't|hadnt|did|didn't|didnt|were|weren't|werent|would|wouldn't|wouldnt|"
    r"could|couldn't|couldnt|paid|listened|cared|gave|showed|spent|was|wasn't"
)

# What an excuse means, and the words that carry each meaning, the plainest meaning first:
# in "but only because you were never home" it is the blame that a partner hears.
EXCUSES: dict[str, tuple[str, ...]] = {
    # The partner is named as the cause of what the writer did.
    "blame": (
        r"\b(?:because|cause|cos|cuz|coz) (?:of )?you\b",
        rf"\bif (?:only )?you(?:'d\b| (?:{_YOU_DID})\b)",
        r"\byou (?:made|make|drove|drive|pushed|push|forced|force|led) me\b",
        r"\byou left me no\b",
        r"\byou (?:should|shouldn't|shouldnt|should not) have\b",
        r"\byou (?:started it|did it too|did the same)\b",
        r"\b(?:you're|youre|you are|you were|you weren't) no (?:angel|saint|better)\b",
        r"\bwhat (?:did|do) you expect\b",
        r"\bit takes two\b",
    ),
    # What happened is made smaller than it was.
    "minimise": (
        r"\b(?:everyone|everybody) does\b",
        r"\b(?:it|that) (?:was|is) (?:only|just) (?:a|an|one|once|the)\b",
        r"\b(?:didn't|didnt|did not) mean anything\b",
        r"\bmeant nothing\b",
        r"\b(?:not|no) (?:such )?(?:a |that )?big (?:of a )?deal\b",
        r"\bnothing (?:really )?happened\b",
        r"\bat least i\b",
        r"\b(?:you're|youre|you are) overreacting\b",
    ),
    # A reason offered as if it made it all right.
    "justify": (
        r"\bbut\b(?! also\b)",
        r"\bonly (?:\w+ ){0,3}because\b",
        r"\bwould(?:n't|nt| not) have (?:\w+ ){0,4}if\b",
        r"\b(?:(?:it|that|this) (?:is |was )?|it's |its )?(?:not|wasn't|wasnt|isn't|isnt) "
        r"(?:all |entirely |completely |really |only |just )?my fault\b",
        r"\bi (?:had|have) no (?:other )?(?:choice|option)\b",
        r"\bi (?:couldn't|couldnt|could not) help it\b",
        r"\bit just happened\b",
        r"\bwhat (?:was|am) i supposed to do\b",
        r"\b(?:anyone|anybody) would have\b",
        r"\bin my defen[cs]e\b",
        r"\bto be fair\b",
    ),
}

# A listener defending or adding their own side, where only the speaker's is asked for.
# Not "because you" or a bare "but": a reflection restates the speaker's reasons with them
# ("it makes sense you feel scared because you found out by accident").
OWN_SIDE = (
    r"\bbut (?:i|i'm|im|i've|ive|i'd|me|my)\b",
    r"\bi (?:was|am|felt|feel|had|have) (?:\w+ ){0,3}(?:too|as well)\b",
    r"\b(?:me too|so did i|so was i)\b",
    r"\b(?:that's|thats|that is|it's|its|it is) not (?:what happened|true|fair|how it was)\b",
    r"\bi never (?:said|meant|did)\b",
    r"\bi (?:didn't|didnt|did not) mean (?:to|it)\b",
    r"\bnot (?:the )?only one\b",
    r"\byou (?:made|make|drove|pushed|forced) me\b",
    r"\bwhat (?:did|do) you expect\b",
    r"\bit takes two\b",
    r"\bin my defen[cs]e\b",
    r"\bto be fair\b",
    r"\bnot (?:all |entirely |only |just )?my fault\b",
    r"\b(?:you're|youre|you are) overreacting\b",
)

# A change described as a feeling, a hope or a trait, which no one can see being kept.
VAGUE_CHANGES = (
    r"\btry(?:ing)? (?:to|and|my best|harder)\b",
    r"\b(?:be|become|get|being) (?:a )?(?:bit |lot )?(?:more|less|better|nicer|kinder)\b",
    r"\b(?:do|doing) better\b",
    r"\bimprove\b",
    r"\bwork(?:ing)? on (?:myself|me|it|this|that|my)\b",
    r"\bmake (?:an|more|the|a real) effort\b",
    r"\b(?:be|being|stay) (?:honest|faithful|loyal|open|present|there for you|good)\b",
    r"\bchange my ways\b",
)

_NOT_WORD = re.compile(r"[^\w']+")


def _compiled(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


_EXCUSE_PATTERNS = {meaning: _compiled(found) for meaning, found in EXCUSES.items()}
_OWN_SIDE_PATTERNS = _compiled(OWN_SIDE)
_VAGUE_PATTERNS = _compiled(VAGUE_CHANGES)


def normalised(text: str) -> str:
    """Lower case, straight apostrophes, punctuation turned into single spaces."""
    straight = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    return " ".join(_NOT_WORD.sub(" ", straight).split())


def _first(text: str, patterns: Iterable[re.Pattern[str]]) -> re.Match[str] | None:
    plain = normalised(text)
    found = [match for pattern in patterns if (match := pattern.search(plain))]
    return min(found, key=lambda match: match.start()) if found else None


def _excuse(text: str) -> tuple[str, str] | None:
    """The meaning and words of the first excuse of the plainest meaning in *text*."""
    for meaning, patterns in _EXCUSE_PATTERNS.items():
        if first := _first(text, patterns):
            return meaning, first.group(0).strip()
    return None


def excuse_meaning(text: str) -> str | None:
    """What the excuse in *text* means ("blame", "minimise", "justify"), or None."""
    found = _excuse(text)
    return found[0] if found else None


def find_excuse(text: str) -> str | None:
    """The words that may sound like an excuse or shifting blame, or None."""
    found = _excuse(text)
    return found[1] if found else None


def find_own_side(text: str) -> str | None:
    """The first words of a reflection that add the listener's side, or None."""
    first = _first(text, _OWN_SIDE_PATTERNS)
    return first.group(0).strip() if first else None


def find_vague_change(text: str) -> str | None:
    """The first words of a change that no one could see being kept, or None."""
    first = _first(text, _VAGUE_PATTERNS)
    return first.group(0).strip() if first else None
