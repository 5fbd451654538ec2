"""Run each coding card's Python solution against its worked examples.

Usage: python3 run_examples.py CARDS.json

CARDS.json is a list of cards as `prepbot bank list --json` prints them. For
each card the single ```python block of the answer is executed in a fresh
namespace; for each example, every line of `input` but the last is executed
and the last line is evaluated and compared with `output`. Prints one line
per card ("ok ID" or "FAIL ID: why") and exits 1 if any card fails.
"""
import json
import re
import sys
import traceback

FENCE = re.compile(r"```python\n(.*?)```", re.S)


def run(card):
    blocks = FENCE.findall(card["answer"])
    if len(blocks) != 1:
        return "want exactly one ```python block, found %d" % len(blocks)
    for i, ex in enumerate(card.get("examples") or []):
        ns = {"__name__": "solution"}
        try:
            exec(compile(blocks[0], card["id"], "exec"), ns)
            lines = ex["input"].rstrip().split("\n")
            setup, last = "\n".join(lines[:-1]), lines[-1]
            if setup.strip():
                exec(compile(setup, card["id"] + " example", "exec"), ns)
            got = eval(last, ns)
            want = eval(ex["output"], ns)
        except Exception:
            return "example %d raised:\n%s" % (i + 1, traceback.format_exc())
        if got != want:
            return "example %d: %s gave %r, want %r" % (i + 1, last, got, want)
    if not card.get("examples"):
        return "no examples"
    return None


def main():
    cards = json.load(open(sys.argv[1]))
    failed = 0
    for card in cards:
        why = run(card)
        if why:
            failed += 1
            print("FAIL %s: %s" % (card["id"], why))
        else:
            print("ok %s (%d examples)" % (card["id"], len(card["examples"])))
    sys.exit(1 if failed else 0)


main()
