"""Fuzzing target for the loader and the validator (atheris, libFuzzer's engine for Python).

Each input is one fact file of a kind chosen by the first byte, loaded next to the
bundled test corpus and checked with it. Anything but the tool's own problems (an
exception, a crash, a hang) is a finding.

Run it for as long as you like::

    python tests/fuzz_load.py tests/fixtures/facts/incidents -max_total_time=600

The test suite runs it briefly (tests/test_properties.py).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from generator import check, load
    from generator.models import KINDS

from tests.conftest import FIXTURE_FACTS

_KINDS = sorted(KINDS)


def _base() -> load.Corpus:
    """The bundled test corpus, loaded once."""
    corpus = load.Corpus()
    for kind in _KINDS:
        for path in sorted((FIXTURE_FACTS / kind).iterdir()):
            rel = f"facts/{kind}/{path.name}"
            loaded = load.load_bytes(corpus, kind, rel, path.stem, path.read_bytes())
            if loaded is not None:
                corpus.of_kind(kind)[path.stem] = loaded
    return corpus


BASE = _base()


def test_one_input(data: bytes) -> None:
    if not data:
        return
    kind = _KINDS[data[0] % len(_KINDS)]
    corpus = load.Corpus(
        **{k: dict(BASE.of_kind(k)) for k in _KINDS},
        problems=[],
    )
    rel = f"facts/{kind}/fuzzed{KINDS[kind].extension}"
    loaded = load.load_bytes(corpus, kind, rel, "fuzzed", data[1:])
    if loaded is not None:
        corpus.of_kind(kind)["fuzzed"] = loaded
    else:
        corpus.unloadable.add((kind, "fuzzed"))
    check.check_corpus(corpus)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
