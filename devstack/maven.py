"""Fetch Java components from Maven Central into the user's Maven cache (~/.m2) and
return their classpath. The resolved classpath is cached next to the pom, keyed by the
pom's content, so a second start does not even run Maven."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
POMS = REPO_ROOT / "deploy" / "local" / "maven"
CACHE = Path.home() / ".cache" / "cdr-pipeline" / "classpath"


class MavenError(RuntimeError):
    pass


def classpath(component: str) -> str:
    """Classpath of ``deploy/local/maven/<component>/pom.xml``'s dependencies."""
    pom = POMS / component / "pom.xml"
    if not pom.is_file():
        raise MavenError(f"no pom for {component} at {pom}")
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:16]
    cached = CACHE / f"{component}-{digest}.txt"
    if cached.is_file():
        cp = cached.read_text().strip()
        if cp and all(Path(p).is_file() for p in cp.split(":")):
            return cp
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MavenError("mvn is not on PATH: install Maven (apt-get install maven)")
    CACHE.mkdir(parents=True, exist_ok=True)
    out = cached.with_suffix(".tmp")
    # A component may bring Maven settings of its own (the registry's: a mirror of every
    # repository to Central, so an unreachable repository named by a parent POM cannot stall).
    settings = POMS / component / "settings.xml"
    extra = ["-s", str(settings)] if settings.is_file() else []
    proc = subprocess.run(
        [mvn, "-q", "-B", *extra, "-f", str(pom), "dependency:build-classpath", f"-Dmdep.outputFile={out}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not out.is_file():
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise MavenError(f"maven could not resolve {component}:\n{tail}")
    out.replace(cached)
    return cached.read_text().strip()


if __name__ == "__main__":  # python -m devstack.maven kafka: fetch and print the classpath size
    import sys

    for name in sys.argv[1:] or ["kafka"]:
        jars = classpath(name).split(":")
        print(f"{name}: {len(jars)} jars resolved from Maven Central into ~/.m2")
