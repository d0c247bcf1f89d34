"""Static lint of Sanal's container files; needs no network and no Docker daemon.

Run by scripts/check-container.sh (see there). Checks what the image and the compose
file promise in the README:

Dockerfile
  - multi-stage: at least two FROM; the stage that runs `cargo build --release --locked`
    is an official `rust:` image at least `rust-version` of Cargo.toml, on the same
    Debian release as the runtime stage (the binary needs the glibc it was linked with)
  - the final stage runs as a non-root USER, EXPOSEs the port SANAL_BIND listens on
    (on every interface), and has a HEALTHCHECK on /health/ready of that port
  - every COPY/ADD source exists and is not excluded by .dockerignore; COPY --from names
    an earlier stage; no ADD of URLs
  - the build context the COPYs assemble (honouring .dockerignore) holds every workspace
    member, every source file and every include_str!/include_bytes! file outside test
    modules; when cargo's registry cache allows, `cargo metadata --locked --offline`
    accepts it
  - ENV names that look like settings are settings of src/config.rs
.dockerignore
  - what .gitignore ignores, .git, .env and sanal.secret stay out of the context
compose.yaml
  - services postgres (healthcheck with pg_isready, a named volume at its data
    directory) and sanal (built from `.`, depends_on postgres: service_healthy)
  - sanal's environment uses only settings of src/config.rs, points DATABASE_URL at
    the postgres service, binds 0.0.0.0 on the port the Dockerfile exposes and
    publishes it, runs in production mode, requires (`${VAR:?…}`) every variable
    production mode requires (read from the error messages of src/config.rs:
    SANAL_JWT_SECRET, the https link bases), holds no literal secret, and, with the
    required variables set to acceptable values, passes production mode's checks as
    far as this lint knows them (scripts/check-container.sh then asks the binary).

Prints one line per problem; exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

PROBLEMS: list[str] = []
NOTES: list[str] = []


def problem(where: str, msg: str) -> None:
    PROBLEMS.append(f"{where}: {msg}")


def note(msg: str) -> None:
    NOTES.append(msg)


# --------------------------------------------------------------------------- settings


def known_variables(root: Path) -> set[str]:
    """Every variable of SETTINGS and OTHER_VARIABLES in src/config.rs."""
    text = (root / "src/config.rs").read_text()
    names = set(re.findall(r'setting!\(\s*"([A-Z0-9_]+)"', text))
    m = re.search(r"OTHER_VARIABLES\s*:[^=]*=\s*\[([^\]]*)\]", text)
    if m:
        names |= set(re.findall(r'"([A-Z0-9_]+)"', m.group(1)))
    if len(names) < 5:
        problem("src/config.rs", "could not read the SETTINGS table (the lint needs updating)")
    return names


def production_requirements(root: Path) -> tuple[set[str], set[str]]:
    """(variables production mode requires, those it requires to be https://), read from
    the error messages of src/config.rs, so a new requirement reaches the lint."""
    text = (root / "src/config.rs").read_text()
    https = set(re.findall(r'"(SANAL_[A-Z0-9_]+) must be https://', text))
    required = set(re.findall(r'"(SANAL_[A-Z0-9_]+) is required in production', text)) | https
    if not {"SANAL_JWT_SECRET", "SANAL_PUBLIC_BASE_URL"} <= required:
        problem("src/config.rs", "could not read what production mode requires (the lint needs updating)")
        required |= {"SANAL_JWT_SECRET", "SANAL_PUBLIC_BASE_URL"}
        https |= {"SANAL_PUBLIC_BASE_URL"}
    return required, https


def looks_like_setting(name: str) -> bool:
    return name.startswith("SANAL_") or name in ("DATABASE_URL", "RUST_LOG")


# ------------------------------------------------------------------------ Cargo.toml


def cargo_workspace(root: Path) -> tuple[str | None, list[str]]:
    """(rust-version, workspace members) of the root manifest."""
    text = (root / "Cargo.toml").read_text()
    try:
        import tomllib

        data = tomllib.loads(text)
        ws = data.get("workspace", {})
        rv = ws.get("package", {}).get("rust-version") or data.get("package", {}).get(
            "rust-version"
        )
        members = ws.get("members", ["."])
        return (rv if isinstance(rv, str) else None), list(members)
    except ImportError:  # Python < 3.11
        rv = re.search(r'^rust-version\s*=\s*"([^"]+)"', text, re.M)
        mem = re.search(r"^members\s*=\s*\[([^\]]*)\]", text, re.M)
        members = re.findall(r'"([^"]+)"', mem.group(1)) if mem else ["."]
        return (rv.group(1) if rv else None), members


def version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


# ---------------------------------------------------------------------- .dockerignore


class DockerIgnore:
    """moby/patternmatcher semantics: patterns are cleaned paths relative to the context,
    `*` and `?` stop at `/`, `**` crosses directories, `!` re-includes, the last match
    wins, and a pattern matching a parent directory matches everything under it."""

    def __init__(self, text: str):
        self.patterns: list[tuple[bool, re.Pattern[str], str]] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            if exclusion:
                line = line[1:].strip()
            line = os.path.normpath(line)
            if len(line) > 1 and line.startswith("/"):
                line = line.lstrip("/")
            self.patterns.append((exclusion, self._compile(line), line))

    @staticmethod
    def _compile(p: str) -> re.Pattern[str]:
        out = "^"
        i = 0
        while i < len(p):
            c = p[i]
            if c == "*":
                if i + 1 < len(p) and p[i + 1] == "*":
                    i += 1
                    if i + 1 < len(p) and p[i + 1] == "/":
                        i += 1
                    out += ".*" if i + 1 >= len(p) else "(.*/)?"
                else:
                    out += "[^/]*"
            elif c == "?":
                out += "[^/]"
            elif c == "\\" and i + 1 < len(p):
                i += 1
                out += re.escape(p[i])
            elif c == "[":
                j = p.find("]", i + 1)
                if j == -1:
                    out += re.escape(c)
                else:
                    body = p[i + 1 : j]
                    if body.startswith("^") or body.startswith("!"):
                        body = "^" + body[1:]
                    out += "[" + body + "]"
                    i = j
            else:
                out += re.escape(c)
            i += 1
        return re.compile(out + "$")

    def excluded(self, path: str) -> bool:
        path = os.path.normpath(path)
        parts = path.split("/")
        parents = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
        matched = False
        for exclusion, rx, _ in self.patterns:
            if exclusion != matched:
                continue
            hit = bool(rx.match(path)) or any(rx.match(p) for p in parents)
            if hit:
                matched = not exclusion
        return matched


def sample_path(gitignore_pattern: str) -> str | None:
    """A path that a simple .gitignore pattern ignores (None when not obvious)."""
    p = gitignore_pattern.strip()
    if not p or p.startswith("#") or p.startswith("!"):
        return None
    p = p.strip("/")
    if any(c in p for c in "[]?"):
        return None
    p = p.replace("**/", "").replace("**", "x")
    return p.replace("*", "sample") + ("/sample" if gitignore_pattern.rstrip().endswith("/") else "")


# ------------------------------------------------------------------------- Dockerfile


class Instruction:
    def __init__(self, line: int, keyword: str, args: str):
        self.line, self.keyword, self.args = line, keyword.upper(), args.strip()


def parse_dockerfile(text: str) -> list[Instruction]:
    lines = text.splitlines()
    escape = "\\"
    # Parser directives: leading `# key=value` comments.
    for raw in lines:
        m = re.match(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$", raw)
        if not m:
            break
        if m.group(1).lower() == "escape":
            escape = m.group(2)
    out: list[Instruction] = []
    buf, start = "", 0
    for n, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # comment lines inside a continuation are dropped
        if not buf:
            start = n
        if raw.rstrip().endswith(escape):
            buf += raw.rstrip()[: -len(escape)] + " "
            continue
        buf += raw
        kw, _, rest = buf.strip().partition(" ")
        out.append(Instruction(start, kw, rest))
        buf = ""
    if buf:
        kw, _, rest = buf.strip().partition(" ")
        out.append(Instruction(start, kw, rest))
    return out


def substitute(s: str, env: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        op, word = m.group(2) or "", ""
        if op:
            word = op[2:] if op.startswith(":") else op[1:]
            op = op[:2] if op.startswith(":") else op[:1]
        val = env.get(name)
        if op in (":-", "-") and not val:
            return word
        if op in (":+", "+"):
            return word if val else ""
        return val or ""

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)", one, s)


def split_flags(args: str) -> tuple[dict[str, str], list[str]]:
    """`--from=build src dest` → ({'from': 'build'}, ['src', 'dest']); JSON form too."""
    flags: dict[str, str] = {}
    words: list[str]
    rest = args
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        k, _, v = flag[2:].partition("=")
        flags[k] = v
        rest = rest.lstrip()
    if rest.startswith("["):
        import json

        try:
            words = json.loads(rest)
        except ValueError:
            words = rest.split()
    else:
        words = rest.split()
    return flags, words


def env_pairs(args: str) -> list[tuple[str, str]]:
    """ENV/ARG `K=V K2="V 2"` or legacy `K V`."""
    import shlex

    try:
        words = shlex.split(args, posix=True)
    except ValueError:
        words = args.split()
    if words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [tuple(w.split("=", 1)) if "=" in w else (w, "") for w in words]  # type: ignore[misc]


class Stage:
    def __init__(self, index: int, image: str, name: str | None, line: int):
        self.index, self.image, self.name, self.line = index, image, name, line
        self.instructions: list[Instruction] = []


def stages_of(instrs: list[Instruction]) -> tuple[dict[str, str], list[Stage]]:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for ins in instrs:
        if ins.keyword == "FROM":
            flags, words = split_flags(ins.args)
            image = substitute(words[0], global_args) if words else ""
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(len(stages), image, name, ins.line))
        elif not stages:
            if ins.keyword == "ARG":
                for k, v in env_pairs(ins.args):
                    global_args[k] = v
        else:
            stages[-1].instructions.append(ins)
    return global_args, stages


DEBIAN_RELEASES = ("bullseye", "bookworm", "trixie", "forky")


def debian_release(image: str) -> str | None:
    tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
    for rel in DEBIAN_RELEASES:
        if re.search(rf"(^|-){rel}(-|$)", tag):
            return rel
    return None


def check_dockerfile(
    root: Path, dockerfile: Path, ignore: DockerIgnore, known: set[str], rust_version: str | None,
    members: list[str],
) -> dict:
    where = str(dockerfile.relative_to(root)) if dockerfile.is_relative_to(root) else str(dockerfile)
    instrs = parse_dockerfile(dockerfile.read_text())
    global_args, stages = stages_of(instrs)
    facts: dict = {"images": [s.image for s in stages], "port": None}
    if len(stages) < 2:
        problem(where, f"not multi-stage: {len(stages)} FROM (a build stage and a small runtime stage are expected)")
    if not stages:
        return facts
    stage_names = {}
    for s in stages:
        if s.name:
            stage_names[s.name] = s.index

    # The build stage: the one running cargo build.
    build = None
    for s in stages:
        for ins in s.instructions:
            if ins.keyword == "RUN" and re.search(r"\bcargo\s+build\b", ins.args):
                build = s
                if not re.search(r"--release\b", ins.args) or not re.search(r"--locked\b", ins.args):
                    problem(f"{where}:{ins.line}", "cargo build must use --release --locked (Cargo.lock is the contract)")
    if build is None:
        problem(where, "no stage runs `cargo build`")
    else:
        m = re.match(r"^(?:docker\.io/)?(?:library/)?rust:(\d+\.\d+(?:\.\d+)?)", build.image)
        if not m:
            problem(f"{where}:{build.line}", f"the build stage's image {build.image!r} is not a versioned official rust: image")
        elif rust_version and version_tuple(m.group(1)) < version_tuple(rust_version):
            problem(f"{where}:{build.line}", f"rust:{m.group(1)} is older than rust-version {rust_version} of Cargo.toml")
        if build is stages[-1]:
            problem(f"{where}:{build.line}", "the final stage is the build stage (the toolchain would ship in the image)")

    final = stages[-1]
    loc = lambda ins: f"{where}:{ins.line}"  # noqa: E731
    if final.image == "scratch":
        problem(f"{where}:{final.line}", "the final stage is FROM scratch (no glibc for the binary, no wget for the health check)")
    if build is not None and build is not final:
        b, f = debian_release(build.image), debian_release(final.image)
        if b and f and b != f:
            problem(f"{where}:{final.line}", f"build stage on Debian {b} but runtime on {f}: the binary may need a newer glibc")

    users = [i for i in final.instructions if i.keyword == "USER"]
    if not users:
        problem(f"{where}:{final.line}", "the final stage has no USER: it would run as root")
    else:
        user = users[-1].args.split(":")[0].strip()
        if user in ("root", "0", ""):
            problem(loc(users[-1]), f"the final stage runs as {users[-1].args!r} (root)")
        elif not user.isdigit():
            note(f"{where}: USER {user} is a name; a numeric uid lets runtimes verify it is not root")

    env: dict[str, str] = {}
    for s in stages:
        for ins in s.instructions:
            if ins.keyword == "ENV":
                for k, v in env_pairs(ins.args):
                    if s is final:
                        env[k] = v
                    if looks_like_setting(k) and k not in known:
                        problem(loc(ins), f"ENV {k} is not a setting of src/config.rs")
    bind = env.get("SANAL_BIND", "")
    port = None
    if not bind:
        problem(where, "the final stage does not set SANAL_BIND (the default 127.0.0.1 is unreachable from outside the container)")
    else:
        host, _, port = bind.rpartition(":")
        if host not in ("0.0.0.0", "[::]"):
            problem(where, f"SANAL_BIND={bind}: listen on 0.0.0.0 inside a container")
    facts["port"] = port
    facts["bind"] = bind
    facts["image_env"] = env

    exposes = [w.split("/")[0] for i in final.instructions if i.keyword == "EXPOSE" for w in i.args.split()]
    if not exposes:
        problem(f"{where}:{final.line}", "the final stage EXPOSEs no port")
    elif port and port not in exposes:
        problem(where, f"EXPOSE {' '.join(exposes)} but SANAL_BIND listens on {port}")
    if "8080" not in exposes:
        problem(where, "EXPOSE 8080 expected (the documented port)")

    hcs = [i for i in final.instructions if i.keyword == "HEALTHCHECK"]
    if not hcs:
        problem(f"{where}:{final.line}", "the final stage has no HEALTHCHECK")
    else:
        hc = hcs[-1]
        if hc.args.upper().startswith("NONE"):
            problem(loc(hc), "HEALTHCHECK NONE")
        elif "/health/ready" not in hc.args:
            problem(loc(hc), "the HEALTHCHECK does not probe /health/ready")
        else:
            url = re.search(r"https?://([^/\s\"']+)(/health/ready)", hc.args)
            if not url:
                problem(loc(hc), "the HEALTHCHECK's URL is not http://HOST:PORT/health/ready")
            elif port and not url.group(1).endswith(f":{port}"):
                problem(loc(hc), f"the HEALTHCHECK probes {url.group(1)}, the server listens on port {port}")
            tool = re.search(r"\b(curl|wget)\b", hc.args)
            if tool:
                installs = " ".join(
                    i.args for i in final.instructions if i.keyword == "RUN"
                )
                base = final.image.split(":")[0]
                if not re.search(rf"\b{tool.group(1)}\b", installs) and "distroless" not in base:
                    problem(loc(hc), f"the HEALTHCHECK runs {tool.group(1)} but the final stage does not install it")
            if "--spider" in hc.args:
                problem(loc(hc), "wget --spider sends HEAD, which /health/ready does not answer")

    entry = [i for i in final.instructions if i.keyword in ("ENTRYPOINT", "CMD")]
    if not entry:
        problem(f"{where}:{final.line}", "the final stage has no ENTRYPOINT/CMD")

    # COPY/ADD sources, and the build context they assemble.
    context = tempfile.mkdtemp(prefix="sanal-context.")
    facts["context_dir"] = context
    for s in stages:
        workdir = "/"
        for ins in s.instructions:
            if ins.keyword == "WORKDIR":
                workdir = os.path.normpath(os.path.join(workdir, ins.args.strip()))
            if ins.keyword not in ("COPY", "ADD"):
                continue
            flags, words = split_flags(ins.args)
            if len(words) < 2:
                problem(loc(ins), f"{ins.keyword} needs a source and a destination")
                continue
            *srcs, dest = words
            if "from" in flags:
                ref = flags["from"].lower()
                if ref in stage_names:
                    if stage_names[ref] >= s.index:
                        problem(loc(ins), f"COPY --from={ref} names a later stage")
                elif not ref.isdigit() and "/" not in ref and ":" not in ref:
                    problem(loc(ins), f"COPY --from={ref}: no such stage")
                continue
            for src in srcs:
                if ins.keyword == "ADD" and re.match(r"^(https?|git)://|^git@", src):
                    problem(loc(ins), f"ADD {src}: fetches from the network at build time; download and verify it instead")
                    continue
                rel = os.path.normpath(src.lstrip("/"))
                if rel.startswith(".."):
                    problem(loc(ins), f"{src} is outside the build context")
                    continue
                matches = sorted(root.glob(rel)) if any(c in rel for c in "*?[") else [root / rel]
                matches = [p for p in matches if p.exists()]
                if not matches:
                    problem(loc(ins), f"{ins.keyword} source {src} does not exist")
                    continue
                for p in matches:
                    r = str(p.relative_to(root))
                    if r != "." and ignore.excluded(r):
                        problem(loc(ins), f"{ins.keyword} source {r} is excluded by .dockerignore")
                        continue
                    if s is build:
                        place(root, p, r, dest, workdir, ignore, Path(context), len(srcs) > 1)

    if build is not None:
        check_context(root, Path(context), members, where)
    return facts


def place(root: Path, p: Path, rel: str, dest: str, workdir: str, ignore: DockerIgnore, ctx: Path, many: bool) -> None:
    """Emulates COPY of one source of the build stage into ctx (= its WORKDIR)."""
    target = os.path.normpath(os.path.join(workdir, dest))
    base = os.path.normpath(workdir)
    if not (target + "/").startswith(base.rstrip("/") + "/"):
        return  # outside WORKDIR: not part of the cargo workspace
    sub = os.path.relpath(target, base)
    out = ctx / sub
    if p.is_dir():
        for dirpath, _, filenames in os.walk(p):
            for f in filenames:
                full = os.path.join(dirpath, f)
                r = os.path.relpath(full, root)
                if ignore.excluded(r):
                    continue
                d = out / os.path.relpath(full, p)
                d.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(full, d)
    else:
        d = out / p.name if (dest.endswith("/") or many or out.is_dir()) else out
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, d)


INCLUDE = re.compile(r'\binclude(?:_str|_bytes)?!\s*\(\s*"([^"]+)"\s*\)')


def check_context(root: Path, ctx: Path, members: list[str], where: str) -> None:
    for m in members:
        man = os.path.normpath(os.path.join(m, "Cargo.toml"))
        if not (ctx / man).is_file():
            problem(where, f"workspace member {m}: {man} is not in the image's build context (cargo reads every member)")
        for sub in ("src",):
            src_dir = root / m / sub
            if not src_dir.is_dir():
                continue
            for f in src_dir.rglob("*"):
                if f.is_file() and f.suffix == ".rs":
                    r = os.path.relpath(f, root)
                    if not (ctx / r).is_file():
                        problem(where, f"{r} is not in the image's build context")
    # Files the compiler reads besides .rs: include_str!/include_bytes! outside test modules.
    for f in ctx.rglob("*.rs"):
        text = f.read_text(errors="replace")
        cut = text.find("#[cfg(test)]")
        live = text if cut == -1 else text[:cut]
        for inc in INCLUDE.findall(live):
            target = os.path.normpath(os.path.join(os.path.dirname(f), inc))
            if not os.path.isfile(target):
                problem(where, f"{f.relative_to(ctx)} includes {inc}, which is not in the image's build context")


def cargo_metadata_ok(dir_: Path) -> tuple[bool, str]:
    if not shutil.which("cargo"):
        return False, "no cargo"
    cmd = ["cargo", "metadata", "--locked", "--offline", "--format-version", "1"]
    try:
        host = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, timeout=30).stdout
        m = re.search(r"^host: (\S+)", host, re.M)
        if m:  # this machine's dependencies only: those the build has already fetched
            cmd += ["--filter-platform", m.group(1)]
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        r = subprocess.run(
            cmd,
            cwd=dir_, capture_output=True, text=True, timeout=120,
            env={**os.environ, "CARGO_TARGET_DIR": str(dir_ / "target")},
        )
    except subprocess.TimeoutExpired:
        return False, "cargo metadata timed out"
    last = (r.stderr.strip().splitlines() or ["?"])
    return r.returncode == 0, " / ".join(l for l in last if l.startswith("error") or "caused by" in l.lower())[:400] or last[-1]


# ------------------------------------------------------------------------ compose.yaml


INTERP = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$")


class Missing(Exception):
    pass


def interpolate(value: str, env: dict[str, str], where: str) -> str:
    def one(m: re.Match[str]) -> str:
        s = m.group(0)
        if s == "$$":
            return "$"
        if s == "$":
            problem(where, f"a lone $ in {value!r} (write $$ for a dollar sign)")
            return ""
        name = m.group(1) or m.group(4)
        op, word = m.group(2) or "", m.group(3) or ""
        val = env.get(name)
        empty = val is None or (op.startswith(":") and val == "")
        if op in (":-", "-"):
            return interpolate(word, env, where) if empty else (val or "")
        if op in (":?", "?"):
            if empty:
                raise Missing(f"{name}: {word}")
            return val or ""
        if op in (":+", "+"):
            return "" if empty else interpolate(word, env, where)
        return val or ""

    return INTERP.sub(one, value)


def required_vars(value: str) -> set[str]:
    return {m.group(1) for m in INTERP.finditer(value) if m.group(1) and (m.group(2) or "").endswith("?")}


def environment_of(svc: dict) -> dict[str, str]:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            k, _, v = str(item).partition("=")
            out[k] = v
        return out
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def check_compose(root: Path, path: Path, known: set[str], facts: dict) -> None:
    prod_required, prod_https = production_requirements(root)
    where = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        problem(where, f"not YAML: {e}")
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        problem(where, "no services")
        return
    services = doc["services"]
    volumes = doc.get("volumes") or {}
    pg, sanal = services.get("postgres"), services.get("sanal")
    if not isinstance(pg, dict):
        problem(where, "no postgres service")
    if not isinstance(sanal, dict):
        problem(where, "no sanal service")
    if not isinstance(pg, dict) or not isinstance(sanal, dict):
        return

    # postgres
    if not str(pg.get("image", "")).startswith("postgres:"):
        problem(where, "services.postgres.image is not an official postgres: image")
    hc = pg.get("healthcheck") or {}
    test = hc.get("test")
    test_s = " ".join(test) if isinstance(test, list) else str(test or "")
    if "pg_isready" not in test_s:
        problem(where, "services.postgres has no healthcheck with pg_isready")
    named = []
    for v in pg.get("volumes") or []:
        src, tgt = (v.get("source"), v.get("target")) if isinstance(v, dict) else (str(v).split(":") + [""])[:2]
        if src and not src.startswith((".", "/", "~", "$")):
            named.append(src)
            if src not in volumes:
                problem(where, f"services.postgres mounts volume {src}, which the top-level volumes do not declare")
            if tgt and not tgt.startswith("/var/lib/postgresql"):
                problem(where, f"volume {src} is mounted at {tgt}, not the database directory")
    if not named:
        problem(where, "services.postgres keeps its data in no named volume")
    pg_env = environment_of(pg)

    # sanal
    build = sanal.get("build")
    ctx = build if isinstance(build, str) else (build or {}).get("context") if isinstance(build, dict) else None
    if ctx not in (".", "./"):
        problem(where, "services.sanal is not built from this directory (build: .)")
    dep = sanal.get("depends_on")
    cond = dep.get("postgres", {}).get("condition") if isinstance(dep, dict) and isinstance(dep.get("postgres"), dict) else None
    if cond != "service_healthy":
        problem(where, "services.sanal must depend_on postgres with condition: service_healthy")

    env = environment_of(sanal)
    for k in env:
        if k not in known:
            problem(where, f"services.sanal.environment.{k} is not a setting of src/config.rs")
    for name, vals in (("sanal", env), ("postgres", pg_env)):
        for k, v in vals.items():
            if re.search(r"SECRET|PASSWORD|TOKEN", k) and v and not re.fullmatch(r"\$\{[^}]*\}", v.strip()):
                problem(where, f"services.{name}.environment.{k} holds a literal value: secrets come from the environment or .env")
    for k in sorted(prod_required):
        if k not in required_vars(env.get(k, "")):
            problem(where, f"services.sanal.environment.{k} must be required from the environment "
                           f"(production mode refuses to start without it): ${{{k}:?message}}")

    # With the required variables given acceptable values (and nothing else), the values
    # must pass production mode's checks (src/config.rs check_production).
    sample = {"POSTGRES_PASSWORD": "0123456789abcdef0123456789abcdef"}
    for k in sorted(prod_required):
        sample[k] = (f"https://sanal.example.mn/{k.lower()}/" if k in prod_https else "0123456789abcdef" * 4)
    try:
        e = {k: interpolate(v, sample, where) for k, v in env.items()}
        p = {k: interpolate(v, sample, where) for k, v in pg_env.items()}
        ports = [interpolate(str(x), sample, where) for x in sanal.get("ports") or []]
        interpolate(str(sanal.get("image", "")), sample, where)
    except Missing as m:
        problem(where, f"needs a variable besides {', '.join(sorted(sample))}: {m}")
        return
    facts["sample_env"] = {**facts.get("image_env", {}), **e}
    facts["required"] = {k: ("https" if k in prod_https else "secret") for k in sample}
    for k in sample:
        try:
            reduced = {x: y for x, y in sample.items() if x != k}
            for v in list(env.values()) + list(pg_env.values()):
                interpolate(v, reduced, where)
            problem(where, f"starts without {k} (it should stop with a message)")
        except Missing:
            pass
    truthy = lambda v: v.strip().lower() in ("1", "true", "yes", "on")  # noqa: E731
    if not truthy(e.get("SANAL_PRODUCTION", "")):
        problem(where, "services.sanal does not run in production mode (SANAL_PRODUCTION: \"true\")")
    url = e.get("DATABASE_URL", "")
    if not re.match(r"^postgres(ql)?://", url):
        problem(where, "services.sanal.environment.DATABASE_URL is not a postgres:// URL")
    elif "@postgres:" not in url and "@postgres/" not in url:
        problem(where, "DATABASE_URL does not point at the postgres service")
    else:
        m = re.match(r"^postgres(?:ql)?://([^:@/]+)(?::([^@/]*))?@[^/]+/([^?]+)", url)
        if m:
            user, pw, db = m.groups()
            if p.get("POSTGRES_USER", "postgres") != user:
                problem(where, f"DATABASE_URL's user {user} is not POSTGRES_USER")
            if p.get("POSTGRES_DB", p.get("POSTGRES_USER", "postgres")) != db:
                problem(where, f"DATABASE_URL's database {db} is not POSTGRES_DB")
            if pw != p.get("POSTGRES_PASSWORD"):
                problem(where, "DATABASE_URL's password is not POSTGRES_PASSWORD")
    bind = e.get("SANAL_BIND") or facts.get("bind") or ""
    host, _, port = bind.rpartition(":")
    if host not in ("0.0.0.0", "[::]"):
        problem(where, f"sanal binds {bind or 'the default 127.0.0.1:8080'}: 0.0.0.0 is needed in a container")
    if facts.get("port") and port != facts["port"]:
        problem(where, f"sanal listens on {port} but the image exposes and health-checks {facts['port']}")
    if not any(x.rsplit(":", 1)[-1].split("/")[0] == port for x in ports):
        problem(where, f"services.sanal publishes no port mapped to {port}")
    secret = e.get("SANAL_JWT_SECRET", "")
    if 0 < len(secret.encode()) < 32:
        problem(where, "SANAL_JWT_SECRET would be shorter than 32 bytes")
    for k in sorted(prod_https):
        if not e.get(k, "").startswith("https://"):
            problem(where, f"{k} would not be https://")
    token = e.get("SANAL_METRICS_TOKEN", "").strip()
    if token and len(token) < 16:
        problem(where, "SANAL_METRICS_TOKEN's default is shorter than 16 characters")
    if 0 < len(e.get("SANAL_ADMIN_PASSWORD", "").strip()) < 12:
        problem(where, "SANAL_ADMIN_PASSWORD's default is too short")
    fmt = e.get("SANAL_LOG_FORMAT", "").strip().lower()
    if fmt not in ("", "text", "plain", "json"):
        problem(where, f"SANAL_LOG_FORMAT {fmt!r} is neither text nor json")
    facts["compose_images"] = [str(s.get("image")) for n, s in services.items() if isinstance(s, dict) and not s.get("build") and s.get("image")]


# ------------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=".")
    ap.add_argument("--dockerfile", default=None)
    ap.add_argument("--compose", default=None)
    ap.add_argument("--dockerignore", default=None)
    ap.add_argument("--images", action="store_true", help="print the base images (one a line) and exit")
    ap.add_argument("--required", action="store_true",
                    help="print the variables compose requires, each with its kind (secret or https), and exit")
    ap.add_argument("--print-env", action="store_true",
                    help="print the container's environment under compose (the image's ENV, then compose's, "
                         "required variables at sample values) as NUL-terminated KEY=VALUE, and exit")
    a = ap.parse_args()
    root = Path(a.root).resolve()
    dockerfile = Path(a.dockerfile or root / "Dockerfile").resolve()
    compose = Path(a.compose or root / "compose.yaml").resolve()
    ignore_path = Path(a.dockerignore or root / ".dockerignore").resolve()

    for p in (dockerfile, compose, ignore_path):
        if not p.is_file():
            problem(str(p), "missing")
    if PROBLEMS:
        return report()

    known = known_variables(root)
    rust_version, members = cargo_workspace(root)
    if not rust_version:
        problem("Cargo.toml", "no rust-version")
    ignore = DockerIgnore(ignore_path.read_text())

    # .dockerignore keeps out what git ignores, and secrets.
    samples = [".git/HEAD", ".env", "sanal.secret", "data/sanal.secret", "src/.env"]
    gi = root / ".gitignore"
    if gi.is_file():
        samples += [s for s in map(sample_path, gi.read_text().splitlines()) if s]
    for s in samples:
        if not ignore.excluded(s):
            problem(".dockerignore", f"{s} would be sent into the build context")

    facts = check_dockerfile(root, dockerfile, ignore, known, rust_version, members)
    check_compose(root, compose, known, facts)

    ctx = facts.get("context_dir")
    if ctx:
        if a.print_env:
            shutil.rmtree(ctx, ignore_errors=True)
            if PROBLEMS or "sample_env" not in facts:
                return report()
            sys.stdout.write("".join(f"{k}={v}\0" for k, v in facts["sample_env"].items()))
            return 0
        if a.required:
            shutil.rmtree(ctx, ignore_errors=True)
            if PROBLEMS or "required" not in facts:
                return report()
            print("\n".join(f"{k} {kind}" for k, kind in facts["required"].items()))
            return 0
        if a.images:
            shutil.rmtree(ctx, ignore_errors=True)
            print("\n".join(i for i in facts["images"] if i and i.lower() not in {"scratch"} and ":" in i))
            print("\n".join(facts.get("compose_images", [])))
            return 0
        if not PROBLEMS:
            ok, why = cargo_metadata_ok(Path(ctx))
            if ok:
                note("cargo metadata --locked --offline accepts the image's build context")
            else:
                repo_ok, repo_why = cargo_metadata_ok(root)
                if repo_ok:
                    problem("Dockerfile", f"cargo refuses the build context the COPYs assemble: {why}")
                else:
                    note(f"cargo metadata of the build context not checked ({repo_why or why})")
        shutil.rmtree(ctx, ignore_errors=True)
    return report()


def report() -> int:
    for n in NOTES:
        print(f"container lint: note: {n}")
    for p in PROBLEMS:
        print(f"container lint: {p}")
    if PROBLEMS:
        print(f"container lint: {len(PROBLEMS)} problem(s)")
        return 1
    print("container lint: Dockerfile, .dockerignore and compose.yaml pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
