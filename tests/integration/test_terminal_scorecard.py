"""`aiplan scorecard` without --json on the fixture warehouse → every objective and its status word, as the
same warehouse's JSON says."""

import json
import re

from rich.console import Console

from aiplan import cli
from aiplan.cli import main
from presentation import status as status_words  # the words the JSON's status codes are shown as


def test_terminal_scorecard_names_every_objective_with_its_status_word(fixture_env, capsys, monkeypatch):
    assert main(["scorecard", "--geo", "BE", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert len(card["objectives"]) == 9
    monkeypatch.setattr(cli, "console", Console(width=400, soft_wrap=True, no_color=True, highlight=False))
    assert main(["scorecard", "--geo", "BE"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    for obj in card["objectives"]:
        word = status_words.word(obj["status"], "en", obj.get("status_kind", "target"))
        title = next(line for line in lines if line.strip().startswith(f"{obj['number']}. {obj['title']}"))
        assert word in title, (obj["number"], word, title)
    # The closing count of objectives by status word.
    words = [status_words.word(o["status"], "en", o.get("status_kind", "target")) for o in card["objectives"]]
    summary = next(line for line in lines if line.startswith(f"{len(card['objectives'])} objectives:"))
    for word in set(words):  # "2 ✔ on track": the count, the status symbol, the word
        assert re.search(rf"\b{words.count(word)} \S+ {re.escape(word)}", summary), (word, summary)
