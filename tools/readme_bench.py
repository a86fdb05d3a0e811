"""Copy the bench figures into README.md: every block between
`<!-- bench:NAME -->` and `<!-- /bench:NAME -->` is replaced by
bench/results/NAME.md (its first heading dropped). `make bench` runs it last.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fill(readme, results_dir):
    def repl(m):
        name = m.group(1)
        path = os.path.join(results_dir, name + ".md")
        if not os.path.exists(path):
            return m.group(0)
        body = open(path).read().strip().split("\n")
        if body and body[0].startswith("# "):
            body = body[1:]
        # its sections sit under the README's "### <part>": two levels down
        body = ["##" + line if line.startswith("#") else line for line in body]
        return "<!-- bench:%s -->\n%s\n<!-- /bench:%s -->" % (name, "\n".join(body).strip(), name)

    return re.sub(r"<!-- bench:(\w+) -->.*?<!-- /bench:\1 -->", repl, readme, flags=re.S)


def main():
    path = os.path.join(ROOT, "README.md")
    text = open(path).read()
    new = fill(text, os.path.join(ROOT, "bench", "results"))
    if new != text:
        with open(path, "w") as f:
            f.write(new)
        print("README.md: bench figures updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
