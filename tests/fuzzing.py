"""Statement generators for the fuzz tests: grammar walks and byte mutations of valid statements.

`grammar_statement` walks the LALR parse table from the start state, choosing at each step one
terminal the parser accepts and writing a sample text for it, so every statement form (and most
ways of getting one nearly right) comes up. `mutate` damages a known-valid statement the way
typing does: deletions, insertions of quotes and brackets, repeats, truncation.
"""

from __future__ import annotations

import random
from pathlib import Path

from lark import Token
from lark.exceptions import UnexpectedInput

from milvus_kernel.language.grammar import lark_parser

FIXTURES = Path(__file__).parent / "fixtures"

NAMES = ["docs", "id", "label", "vector", "meta", "tags", "n", "p1", "x", "idx", "nope", "DOCS"]
STRINGS = [
    "red",
    "it''s",
    "50%",
    "a_b",
    'x" or id > 0 or "',
    "\\",
    "üñí ☃",
    "",
    "%",
    "{x}",
    "green",
]
SAMPLES: dict[str, list[str]] = {
    "COMPARE": ["==", "!=", "<>", "<=", ">="],
    "VECTOR_OP": ["<->", "<=>", "<#>"],
    "IN_PARTITION": ["IN PARTITION"],
    "NEXT_LEG": [", USING"],
    "HELP_TOPIC": ["SEARCH", "create table", "-metric", "nothing"],
    "PARAM": [":x"],
    "LEGACY_URI": ["milvus://127.0.0.1:1"],
    "INSERT": ["INSERT", "insert"],
    "UPSERT": ["UPSERT"],
    "QUOTED_NAME": ["`docs`", "`my-coll`", "`a b`"],
    "INT": ["0", "1", "2", "3", "8", "10", "64", "16385", "100000"],
    "NUMBER": ["0", "1", "-0", "0.5", "1e-3", "3", "4", "128", "1e308", ".5"],
    "SIMPLE_ROW": ["(1, 'red', [0.1, 0.2, 0.3, 0.4])", "(2, NULL, [1, 2, 3, 4])", "(1)"],
}


def _sample(name: str, rng: random.Random) -> str | None:
    if name in SAMPLES:
        return rng.choice(SAMPLES[name])
    if name == "NAME":
        return rng.choice(NAMES)
    if name == "SINGLE_QUOTED":
        return "'" + rng.choice(STRINGS) + "'"
    if name == "DOUBLE_QUOTED":
        return '"' + rng.choice(STRINGS).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if name == "FLOAT_LIST":
        dim = rng.choice([4, 4, 4, 1, 2, 3, 5])
        return "[" + ", ".join(f"{rng.uniform(-2, 2):.3f}" for _ in range(dim)) + "]"
    terminal = _terminals().get(name)
    if terminal is not None and terminal.pattern.type == "str":
        value: str = terminal.pattern.value
        return value.lower() if rng.random() < 0.3 else value
    return None


_TERMINALS: dict[str, object] = {}


def _terminals() -> dict:  # type: ignore[type-arg]
    if not _TERMINALS:
        _TERMINALS.update({t.name: t for t in lark_parser().terminals})
    return _TERMINALS


def grammar_statement(rng: random.Random, max_tokens: int = 40) -> str:
    """A statement the grammar (mostly) accepts, built by walking the parse table."""
    interactive = lark_parser().parse_interactive("")
    words: list[str] = []
    for _ in range(max_tokens * 3):
        choices = list(interactive.choices())
        if "$END" in choices and (len(words) >= max_tokens or rng.random() < 0.25):
            break
        rng.shuffle(choices)
        for name in choices:
            if name == "$END":
                continue
            text = _sample(name, rng)
            if text is None:
                continue
            try:
                interactive.feed_token(Token(name, text))
            except UnexpectedInput:
                continue
            words.append(text)
            break
        else:
            break
    return " ".join(words)


def valid_statements() -> list[str]:
    lines = (FIXTURES / "valid.sql").read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[1] for line in lines if line.strip() and not line.startswith("#")]


NOISE = [
    "'",
    '"',
    "`",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ";",
    ",",
    "--",
    "/*",
    "*/",
    "\\",
    "\n",
    " WHERE ",
    " AND ",
    " LIMIT ",
    "=",
    "<->",
    ":",
    "\x00",
    "é",
    "9" * 30,
]


def mutate(statement: str, rng: random.Random) -> str:
    """`statement` damaged one to three times."""
    text = statement
    for _ in range(rng.randint(1, 3)):
        if not text:
            break
        at = rng.randrange(len(text) + 1)
        kind = rng.randrange(5)
        if kind == 0:  # delete a run
            text = text[:at] + text[at + rng.randint(1, 8) :]
        elif kind == 1:  # insert noise
            text = text[:at] + rng.choice(NOISE) + text[at:]
        elif kind == 2:  # repeat a run
            run = text[at : at + rng.randint(1, 12)]
            text = text[:at] + run + text[at:]
        elif kind == 3:  # cut short
            text = text[:at]
        else:  # flip a character
            if at < len(text):
                text = text[:at] + chr(rng.randrange(32, 127)) + text[at + 1 :]
    return text
