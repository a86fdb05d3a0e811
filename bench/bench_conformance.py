"""The OMA interoperability cases (../shared/reference/lwm2m.md), each run as the
tests named after it, against the embedded server and against Eclipse Leshan,
each with the client in-process on CPython and as a micropython process (against
Leshan in NoSec and over DTLS PSK) -> bench/results/conformance.md, a table for README."""
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CASES = [
    (0, "client initiated bootstrap"), (1, "client initiated bootstrap full (PSK)"),
    (2, "client initiated bootstrap full (certificate)"), (4, "bootstrap delete"),
    (5, "server initiated bootstrap"), (6, "bootstrap sequence"), (7, "fallback to bootstrap"),
    (9, "bootstrap and configuration consistency"),
    (101, "initial registration"), (102, "registration update"), (103, "deregistration"),
    (104, "registration update trigger"), (105, "discarded register update"), (107, "extending the lifetime"),
    (108, "turn on queue mode"), (109, "behaviour in queue mode"),
    (201, "read basic information, plain text"), (203, "read basic information, TLV"),
    (204, "read basic information, JSON"), (205, "set basic information, plain text"),
    (211, "read basic information, CBOR"), (212, "set basic information, TLV"),
    (215, "set basic information, JSON"), (220, "set basic information, CBOR"),
    (221, "operations on the Security object (must fail)"), (222, "read on object"),
    (223, "read on object instance"), (224, "read on resource"), (225, "read on resource instance"),
    (226, "write (partial update) on instance"), (227, "write (replace) on resource"),
    (228, "write on resource instance"), (229, "read-composite"), (230, "write-composite"),
    (231, "read basic information, SenML JSON"), (232, "read basic information, SenML CBOR"),
    (233, "set basic information, SenML JSON"), (234, "set basic information, SenML CBOR"),
    (235, "read-composite on root path"), (236, "read-composite with partial presence"),
    (237, "read without Content-Format"), (241, "execute reboot"), (256, "write failure"),
    (257, "write-composite"), (260, "discover"), (261, "write-attributes on a multiple resource"),
    (280, "successful read-composite"), (281, "partially successful read-composite"),
    (301, "observe and notify"), (302, "cancel observation by Reset"), (303, "cancel observation by Observe=1"),
    (304, "observe-composite"), (305, "cancel observe-composite"), (306, "send"), (307, "muting send"),
    (308, "observe-composite with create"), (309, "observe-composite with delete"),
    (310, "observe-composite with change"), (311, "send command"), (401, "UDP channel security, PSK"),
]


def case_numbers(name):
    """test_int_222_to_225_read... -> [222, 223, 224, 225]; test_int_6_and_7_... -> [6, 7]."""
    m = re.match(r"test_int_((?:\d+_(?:to_|and_)?)+)", name)
    if not m:
        return []
    words = m.group(1).strip("_").split("_")
    out, i = [], 0
    while i < len(words):
        if words[i] == "to" and out and i + 1 < len(words):
            out.extend(range(out[-1] + 1, int(words[i + 1]) + 1))
            i += 2
        elif words[i] == "and":
            i += 1
        else:
            out.append(int(words[i]))
            i += 1
    return out


def run(paths):
    """{(case, column): [(outcome, reason)]} from one pytest run with a JUnit report."""
    fd, xml = tempfile.mkstemp(suffix=".xml")
    os.close(fd)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", xml, "-k", "int_"]
                   + paths, cwd=ROOT, capture_output=True, text=True)
    results = {}
    for tc in ET.parse(xml).getroot().iter("testcase"):
        name = tc.get("name")
        base, _, param = name.partition("[")
        classname = tc.get("classname", "")
        param = param.rstrip("]")
        if "leshan" in classname and param.endswith("-psk"):  # the same device over DTLS PSK
            column = "Leshan PSK, " + param[:-4]
        elif "leshan" in classname:
            column = "Leshan, " + (param or "?")
        elif param == "micropython" or "micropython" in classname:  # [micropython], test_int_*_micropython.py
            column = "embedded server, micropython"
        else:
            column = "embedded server, cpython"
        outcome, reason = "pass", ""
        for child in tc:
            if child.tag in ("failure", "error"):
                outcome = "fail"
            elif child.tag == "skipped":
                outcome, reason = "skip", (child.get("message") or "").replace("|", "/")
        for n in case_numbers(base):
            results.setdefault((n, column), []).append((outcome, reason))
    os.remove(xml)
    return results


def cell(entries):
    if not entries:
        return "—"
    outcomes = [o for o, _ in entries]
    if "fail" in outcomes:
        return "**fail**"
    if "pass" in outcomes:
        return "pass"
    return "skip (%s)" % entries[0][1][:70]


def main():
    results = run(["tests/host"])
    columns = ["embedded server, cpython", "embedded server, micropython", "Leshan, cpython", "Leshan, micropython",
               "Leshan PSK, cpython", "Leshan PSK, micropython"]
    lines = ["# Conformance", "",
             "OMA-ETS-LightweightM2M-V1_1 interoperability cases, each the tests named after it",
             "(`pytest -k int_`); generated by bench/bench_conformance.py.", "",
             "| case | | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    counts = dict((c, 0) for c in columns)
    for n, title in CASES:
        row = [cell(results.get((n, c), [])) for c in columns]
        for c, v in zip(columns, row):
            counts[c] += v == "pass"
        lines.append("| int-%d | %s | %s |" % (n, title, " | ".join(row)))
    lines += ["", "Cases passed: " + ", ".join("%s %d of %d" % (c, counts[c], len(CASES)) for c in columns)]
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "conformance.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines[-1:]))


if __name__ == "__main__":
    main()
