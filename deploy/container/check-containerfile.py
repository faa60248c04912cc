#!/usr/bin/env python3
"""Checks deploy/container/Containerfile as far as possible without a container builder: its
instructions parse, it is multi-stage on Debian 12, every COPY source exists in the repository,
the binary it copies out of the build stage is the Makefile's RTPSCOPE path, and the image tag of
its build command is the one deploy/kubernetes/daemonset.yaml runs (with a liveness probe on
/health). `make check-deploy` runs it (and builds the image when podman, buildah or docker exists).

    check-containerfile.py [--self-test]    exit 1 with one line per problem
"""
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, str(ROOT / "deploy"))
import deploycheck  # noqa: E402
CONTAINERFILE = ROOT / "deploy/container/Containerfile"
DAEMONSET = ROOT / "deploy/kubernetes/daemonset.yaml"
MAKEFILE = ROOT / "Makefile"
INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
                "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}


def instructions(text):
    """(line number, INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    result, pending, start = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):
            continue
        start = start or number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        words = (pending + line).split(None, 1)
        result.append((start, words[0], words[1] if len(words) > 1 else ""))
        pending, start = "", 0
    if pending:
        result.append((start, "<unterminated>", pending))
    return result


def problems(containerfile, daemonset, makefile):
    found = []
    parsed = instructions(containerfile)
    arguments = {}
    stages = []
    workdir = "/"
    for number, name, rest in parsed:
        if name != name.upper() or name not in INSTRUCTIONS:
            found.append(f"line {number}: unknown instruction {name}")
            continue
        if name == "ARG":
            key, _, value = rest.partition("=")
            arguments[key.strip()] = value.strip()
        elif name == "FROM":
            image = re.sub(r"\$\{(\w+)\}", lambda m: arguments.get(m.group(1), m.group(0)), rest.split()[0])
            alias = rest.split()[2] if len(rest.split()) == 3 and rest.split()[1].upper() == "AS" else None
            stages.append((image, alias))
            workdir = "/"
        elif name == "WORKDIR":
            workdir = rest.strip()
        elif name == "COPY":
            words = rest.split()
            options = [w for w in words if w.startswith("--")]
            paths = [w for w in words if not w.startswith("--")]
            if len(paths) < 2:
                found.append(f"line {number}: COPY needs a source and a destination")
                continue
            source_stage = next((o.split("=", 1)[1] for o in options if o.startswith("--from=")), None)
            if source_stage is None:
                for source in paths[:-1]:
                    if not (ROOT / source).exists():
                        found.append(f"line {number}: COPY source {source} does not exist in the repository")
            else:
                if source_stage not in {alias for _, alias in stages[:-1]}:
                    found.append(f"line {number}: COPY --from={source_stage}: no earlier stage of that name")
                binary = re.search(r"^RTPSCOPE\s*:?=\s*(\S+)", makefile, re.M)
                expected = f"/src/{binary.group(1)}" if binary else None
                if paths[0] != expected:
                    found.append(f"line {number}: copies {paths[0]}, the Makefile builds {expected}")
    if not parsed or parsed[0][1] not in {"FROM", "ARG"}:
        found.append("the first instruction must be FROM (or ARG)")
    if len(stages) < 2:
        found.append(f"not multi-stage ({len(stages)} FROM)")
    for image, alias in stages:
        if not re.search(r"(bookworm|debian:12)", image):
            found.append(f"stage {alias or image}: base image {image} is not Debian 12 (bookworm)")
    if stages and not any(n == "ENTRYPOINT" for _, n, _ in parsed):
        found.append("no ENTRYPOINT")
    tag = re.search(r"build -f deploy/container/Containerfile -t (\S+) \.", containerfile)
    if not tag:
        found.append("no documented build command (`podman build -f deploy/container/Containerfile -t IMAGE .`)")
    documents = [d for d in yaml.safe_load_all(daemonset) if d]
    daemon = next((d for d in documents if d.get("kind") == "DaemonSet"), None)
    if daemon is None:
        found.append("daemonset.yaml: no DaemonSet")
    else:
        container = daemon["spec"]["template"]["spec"]["containers"][0]
        if tag and container.get("image") != tag.group(1):
            found.append(f"daemonset.yaml runs {container.get('image')}, the Containerfile builds {tag.group(1)}")
        if container.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/health":
            found.append("daemonset.yaml: no liveness probe on /health")
    return found


def main(arguments):
    text, daemonset, makefile = CONTAINERFILE.read_text(), DAEMONSET.read_text(), MAKEFILE.read_text()
    broken = [
        ("a missing COPY source", (text.replace("COPY Sources Sources", "COPY Source Sources"), daemonset, makefile)),
        ("another binary path", (text.replace("/src/.build/release/rtpscope", "/src/.build/debug/rtpscope"), daemonset, makefile)),
        ("the Makefile's binary moved", (text, daemonset, makefile.replace("RTPSCOPE := .build/release/rtpscope", "RTPSCOPE := build/rtpscope"))),
        ("a misspelt instruction", (text.replace("WORKDIR /src", "WORKDIRR /src"), daemonset, makefile)),
        ("one stage", (text[text.index("FROM ${RUNTIME_IMAGE}"):].replace("COPY --from=build", "COPY"), daemonset, makefile)),
        ("another image in the DaemonSet", (text, daemonset.replace("image: rtpscope:0.1.0", "image: rtpscope:latest"), makefile)),
    ]
    return deploycheck.report(
        CONTAINERFILE.relative_to(ROOT), problems(text, daemonset, makefile),
        f"{len(instructions(text))} instructions, COPY sources present, binary path and image tag match the Makefile and the DaemonSet",
        broken if "--self-test" in arguments else None, problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
