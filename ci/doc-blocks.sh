#!/usr/bin/env bash
# Runs the documentation's marked code blocks and checks its links, so no command or snippet in
# README.md and docs/**/*.md can drift from the code. A block is checked when the line just
# before its opening fence is one of these HTML comments (GitHub shows nothing of them):
#
#   <!-- ci: run [in=DIR] [exit=N] [leaves=PATH] -->   before a ```sh or ```bash block
#       The block runs as `bash -euo pipefail` from the repository root (or DIR, relative to the
#       root) and must exit with N (default 0; a non-zero N must come from the block's last
#       command, not an earlier one), within 300 s. TMPDIR is a fresh directory,
#       removed afterwards, so a block writes its outputs under `out=$(mktemp -d)` as a reader
#       would. Any process the block leaves running is killed when it ends. leaves=PATH names
#       an untracked path (relative to DIR) the block writes as a user's run would, e.g. the
#       reports/ that `check` writes by default: it is removed after the block and whatever was
#       there before is put back. The block's output is shown only when it fails.
#   <!-- ci: same-as PATH -->   before any block
#       The block must equal the file PATH (relative to the root), with one rewriting of the
#       file: a line `// In your package: TEXT` and the line after it are read as the single
#       line TEXT at the comment's indentation (with the next line's trailing comma). That is
#       how Examples/UserPackage/Package.swift depends on this checkout (`path: "../.."`) while
#       the documentation shows the `.package(url: …, from: …)` line a user types.
#
# Blocks that cannot run in CI stay unmarked: release builds (ci/check.sh, ci/gate.sh), soaks of
# hours, `apt-get install`, a real GitHub token, a PostgreSQL URL, and illustrative fragments.
# Every relative link (and `#heading` anchor into a Markdown file) in those files must resolve.
# A line `<!-- ci: … -->` that is not right before a fence, or that this script cannot read, is
# an error. Needs the debug builds ci/test.sh makes first (`.build/debug`, `Engines/.build/debug`).
#
#   bash ci/doc-blocks.sh                   # everything
#   bash ci/doc-blocks.sh docs/soaks.md     # one page
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec python3 - "$root" "$@" <<'PY'
import difflib, glob, os, re, shutil, signal, subprocess, sys, tempfile, time, unicodedata, urllib.parse

root = sys.argv[1]
files = sys.argv[2:] or ["README.md"] + sorted(glob.glob("docs/**/*.md", root_dir=root, recursive=True))
BLOCK_SECONDS = 300
MARKER = re.compile(r"^\s*<!--\s*ci:(.*?)-->\s*$")
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$")
failures = []

def fail(where, message, detail=""):
    failures.append(where)
    print(f"{where}: {message}")
    if detail:
        print("\n".join("    " + line for line in detail.rstrip("\n").split("\n")))

def parse(path):
    """Fenced blocks as (start line, language, text, marker or None); text with fences blanked out;
    marker lines that precede no fence."""
    lines = open(os.path.join(root, path), encoding="utf-8").read().split("\n")
    blocks, prose, stray = [], list(lines), []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            if MARKER.match(lines[i]) or "<!-- ci:" in lines[i]:
                following = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
                if not following:
                    stray.append(i + 1)
            i += 1
            continue
        indent, fence, language = len(opening.group(1)), opening.group(2), opening.group(3).lower()
        start, body, j = i + 1, [], i + 1
        while j < len(lines) and not re.match(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", lines[j]):
            line = lines[j]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))):])
            j += 1
        marker = lines[i - 1] if i > 0 and (MARKER.match(lines[i - 1]) or "<!-- ci:" in lines[i - 1]) else None
        blocks.append((start, language, "\n".join(body) + "\n", marker))
        for k in range(i, min(j + 1, len(lines))):
            prose[k] = ""
        i = j + 1
    return blocks, "\n".join(prose), stray

def read_marker(where, marker):
    """('run', options) or ('same-as', path), or None after reporting a malformed marker."""
    found = MARKER.match(marker)
    words = found.group(1).split() if found else []
    if not words or words[0] not in ("run", "same-as"):
        fail(where, f"malformed marker {marker.strip()!r}: expected <!-- ci: run [in=DIR] [exit=N] [leaves=PATH] --> or <!-- ci: same-as PATH -->")
        return None
    if words[0] == "same-as":
        if len(words) != 2:
            fail(where, f"malformed marker {marker.strip()!r}: same-as takes one path")
            return None
        return ("same-as", words[1])
    options = {}
    for word in words[1:]:
        key, _, value = word.partition("=")
        if key not in ("in", "exit", "leaves") or not value or key in options:
            fail(where, f"malformed marker {marker.strip()!r}: {word!r} is not in=DIR, exit=N or leaves=PATH (once each)")
            return None
        options[key] = value
    if not re.fullmatch(r"\d{1,3}", options.get("exit", "0")) or int(options.get("exit", "0")) > 255:
        fail(where, f"malformed marker {marker.strip()!r}: exit must be 0 to 255")
        return None
    return ("run", options)

def inside(base, relative):
    path = os.path.normpath(os.path.join(base, relative))
    return path if path == base or path.startswith(base + os.sep) else None

def same_as_text(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        stand_in = re.match(r"^(\s*)// In your package: (.*)$", lines[i])
        if stand_in and i + 1 < len(lines):
            text = stand_in.group(2).rstrip()
            comma = "," if lines[i + 1].rstrip().endswith(",") and not text.endswith(",") else ""
            out.append(stand_in.group(1) + text + comma)
            i += 2
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out).rstrip("\n") + "\n"

def check_same_as(where, text, target):
    path = inside(root, target)
    if not path or not os.path.isfile(path):
        fail(where, f"same-as {target}: no such file in the repository")
        return
    expected = same_as_text(path)
    if text.rstrip("\n") + "\n" != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), (text.rstrip("\n") + "\n").splitlines(True), target + " (as shown)", where))
        fail(where, f"block differs from {target}", diff)

def check_run(where, text, options):
    directory = inside(root, options.get("in", "."))
    if not directory or not os.path.isdir(directory):
        fail(where, f"in={options.get('in')}: no such directory in the repository")
        return
    expected = int(options.get("exit", "0"))
    work = tempfile.mkdtemp(prefix="doc-block-")
    scratch = os.path.join(work, "tmp")
    os.mkdir(scratch)
    leaves = options.get("leaves")
    kept = None
    try:
        if leaves:
            leaves_path = inside(directory, leaves)
            tracked = leaves_path and subprocess.run(["git", "-C", root, "ls-files", "--", leaves_path], capture_output=True, text=True).stdout.strip()
            if not leaves_path or leaves_path == directory or tracked:
                fail(where, f"leaves={leaves}: must be an untracked path inside the block's directory")
                return
            if os.path.lexists(leaves_path):
                kept = os.path.join(work, "kept")
                shutil.move(leaves_path, kept)
        script = os.path.join(work, "block.sh")
        with open(script, "w", encoding="utf-8") as handle:  # the trap names the command that failed
            handle.write("trap 'echo $LINENO >\"$0.failed-at\"' ERR\n" + text)
        log = os.path.join(work, "output")
        environment = dict(os.environ, TMPDIR=scratch)
        with open(log, "wb") as output:
            process = subprocess.Popen(["bash", "-euo", "pipefail", script], cwd=directory, env=environment,
                                       stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                status = process.wait(timeout=BLOCK_SECONDS)
            except subprocess.TimeoutExpired:
                status = None
            finally:  # what the block left running (a server, a soak in the background) ends with it, even on Ctrl-C
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        shown = open(log, encoding="utf-8", errors="replace").read().split("\n")
        shown = "\n".join(shown[-80:] if len(shown) > 80 else shown)
        failed_at = None  # the block's line (1 = the line after the fence) of the command that failed
        if os.path.exists(script + ".failed-at"):
            failed_at = int(open(script + ".failed-at").read().split()[0]) - 1
        file_name, fence_line = where.rsplit(":", 1)
        at = f" at {file_name}:{int(fence_line) + failed_at}" if failed_at else ""
        lines = text.rstrip("\n").split("\n")
        last = max((k for k, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")), default=1)
        while last > 1 and lines[last - 2].rstrip().endswith("\\"):
            last -= 1  # the last command starts where its continued lines begin
        if status is None:
            fail(where, f"block ran longer than {BLOCK_SECONDS} s and was killed (in {os.path.relpath(directory, root)})", shown)
        elif status != expected:
            fail(where, f"block exited {status}{at}, expected {expected} (in {os.path.relpath(directory, root)})", shown)
        elif expected != 0 and failed_at and failed_at < last:
            fail(where, f"block exited {status} as expected, but{at}, before its last command", shown)
    finally:
        if leaves and inside(directory, leaves) and inside(directory, leaves) != directory:
            leaves_path = inside(directory, leaves)
            if os.path.isdir(leaves_path) and not os.path.islink(leaves_path):
                shutil.rmtree(leaves_path, ignore_errors=True)
            elif os.path.lexists(leaves_path):
                os.remove(leaves_path)
            if kept:
                shutil.move(kept, leaves_path)
        shutil.rmtree(work, ignore_errors=True)

def slug(heading, seen):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LMN").replace(" ", "-")
    count = seen.get(text, 0)
    seen[text] = count + 1
    return text if count == 0 else f"{text}-{count}"

anchors_cache = {}
def anchors(path):
    if path not in anchors_cache:
        _, prose, _ = parse(os.path.relpath(path, root))
        seen = {}
        anchors_cache[path] = {slug(m.group(1), seen) for m in re.finditer(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$", prose, re.M)}
    return anchors_cache[path]

def check_links(path, prose):
    """Relative links and images outside code; returns how many were checked."""
    spans, position = [], 0
    for run in re.finditer(r"`+", prose):
        if run.start() < position:
            continue
        closing = re.compile(r"(?<!`)" + re.escape(run.group()) + r"(?!`)").search(prose, run.end())
        if closing:
            spans.append((run.start(), closing.end()))
            position = closing.end()
    spans += [(m.start(), m.end()) for m in re.finditer(r"<!--.*?-->", prose, re.S)]
    masked = list(prose)  # code and comments blanked, so a `[` in code cannot start a link
    for a, b in spans:
        masked[a:b] = [c if c == "\n" else " " for c in prose[a:b]]
    masked = "".join(masked)
    links = [(m.start(), m.group(1)) for m in re.finditer(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", masked)]
    links += [(m.start(), m.group(1)) for m in re.finditer(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", masked, re.M)]
    checked = 0
    for start, target in links:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            continue
        checked += 1
        where = f"{path}:{prose.count(chr(10), 0, start) + 1}"
        file_part, _, anchor = target.partition("#")
        base = root if file_part.startswith("/") else os.path.join(root, os.path.dirname(path))  # GitHub: / is the repository
        resolved = os.path.normpath(os.path.join(base, urllib.parse.unquote(file_part).lstrip("/"))) if file_part else os.path.join(root, path)
        if not (resolved == root or resolved.startswith(root + os.sep)):
            fail(where, f"link {target}: points outside the repository")
        elif not os.path.exists(resolved):
            fail(where, f"link {target}: {os.path.relpath(resolved, root)} does not exist")
        elif anchor and resolved.endswith(".md") and urllib.parse.unquote(anchor).lower() not in anchors(resolved):
            fail(where, f"link {target}: no heading #{anchor} in {os.path.relpath(resolved, root)}")
    return checked

began = time.monotonic()
totals = {"run": 0, "same-as": 0, "links": 0}
for path in files:
    if not os.path.isfile(os.path.join(root, path)):
        fail(path, "no such file")
        continue
    file_began = time.monotonic()
    blocks, prose, stray = parse(path)
    for line in stray:
        fail(f"{path}:{line}", "a <!-- ci: … --> marker must be the line just before a fenced block's opening fence")
    counts = {"run": 0, "same-as": 0, "unmarked": 0}
    for start, language, text, marker in blocks:
        where = f"{path}:{start}"
        if marker is None:
            counts["unmarked"] += 1
            continue
        kind = read_marker(where, marker)
        if kind is None:
            continue
        counts[kind[0]] += 1
        if kind[0] == "same-as":
            check_same_as(where, text, kind[1])
        elif language not in ("sh", "bash", "shell"):
            fail(where, f"a run marker needs a ```sh or ```bash block, not ```{language}")
        else:
            check_run(where, text, kind[1])
    linked = check_links(path, prose)
    totals["run"] += counts["run"]; totals["same-as"] += counts["same-as"]; totals["links"] += linked
    print(f"{path}: {counts['run']} run, {counts['same-as']} same-as, {counts['unmarked']} unmarked blocks; {linked} links"
          f" ({time.monotonic() - file_began:.0f} s)")
summary = f"{totals['run']} blocks run, {totals['same-as']} compared, {totals['links']} links in {len(files)} files, {time.monotonic() - began:.0f} s"
if failures:
    print(f"doc-blocks: FAILED at {len(failures)} place(s) ({summary})")
    sys.exit(1)
print(f"doc-blocks: passed ({summary})")
PY
