"""The registry's Maven archive is unpacked under its directory and nowhere else, with
the permissions tarfile's ``data`` filter gives, also on a Python without that filter
(Debian 12's 3.11.2, where make install builds the virtualenv)."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from devstack import registry


def _archive(*members: tuple[str, bytes, int, bytes]) -> tarfile.TarFile:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, kind, mode, data in members:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.uid, info.gid, info.uname = kind, mode, 4242, 4242, "someone"
            if kind == tarfile.REGTYPE:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                info.linkname = "/etc/passwd" if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
                tar.addfile(info)
    buf.seek(0)
    return tarfile.open(fileobj=buf)


@pytest.fixture(params=["filter", "fallback"])
def unpack(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    if request.param == "fallback":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python's tarfile has no data filter")
    return registry._extract


def test_files_get_the_unpackers_owner_and_no_setuid_or_world_write(unpack, tmp_path: Path) -> None:
    into = tmp_path / "app"
    tar = _archive(
        (".", tarfile.DIRTYPE, 0o777, b""),
        ("lib", tarfile.DIRTYPE, 0o777, b""),
        ("lib/quarkus-run.jar", tarfile.REGTYPE, 0o6777, b"jar"),
        ("lib/notes.txt", tarfile.REGTYPE, 0o666, b"text"),
    )
    unpack(tar, into)
    modes = {p.name: (p.stat().st_mode & 0o7777, p.stat().st_uid) for p in [into / "lib", *(into / "lib").iterdir()]}
    assert modes == {
        "lib": (0o755, os.getuid()),
        "quarkus-run.jar": (0o755, os.getuid()),
        "notes.txt": (0o644, os.getuid()),
    }
    assert into.stat().st_mode & 0o022 == 0, "the destination became writable by others"


@pytest.mark.parametrize(
    "member",
    [
        ("/tmp/outside", tarfile.REGTYPE),
        ("../outside", tarfile.REGTYPE),
        ("lib/../../outside", tarfile.REGTYPE),
        ("link", tarfile.SYMTYPE),
        ("hard", tarfile.LNKTYPE),
        ("device", tarfile.CHRTYPE),
        ("fifo", tarfile.FIFOTYPE),
    ],
)
def test_anything_but_a_plain_file_inside_is_refused(unpack, tmp_path: Path, member: tuple[str, bytes]) -> None:
    name, kind = member
    with pytest.raises((registry.RegistryStartError, tarfile.TarError)):
        unpack(_archive((name, kind, 0o644, b"x")), tmp_path / "app")
    assert not (tmp_path / "outside").exists() and not Path("/tmp/outside").exists()
