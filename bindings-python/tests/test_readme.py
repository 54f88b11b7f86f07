"""Every ```python block of the READMEs runs, in order, in one namespace per README, from the
repository root, against the local test gateway (ALIPAY_GATEWAY)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO

READMES = [REPO / "README.md", REPO / "bindings-python" / "README.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(readme: Path) -> list[str]:
    return BLOCK.findall(readme.read_text(encoding="utf-8")) if readme.is_file() else []


WITH_SNIPPETS = [readme for readme in READMES if python_blocks(readme)]


def test_the_readmes_have_snippets() -> None:
    assert len(python_blocks(REPO / "bindings-python" / "README.md")) >= 3
    assert len(python_blocks(REPO / "README.md")) >= 1, "the top-level README's Python section"


@pytest.mark.parametrize("readme", WITH_SNIPPETS, ids=[str(r.relative_to(REPO)) for r in WITH_SNIPPETS])
def test_readme_snippets_run(readme: Path, gateway_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("ALIPAY_GATEWAY", gateway_url)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for number, block in enumerate(python_blocks(readme), start=1):
        code = compile(block, f"{readme.name} block {number}", "exec")
        exec(code, namespace)
    assert capsys.readouterr().out.strip(), "the snippets print what they show"
