"""FilesystemArtifactStore: build outputs stored by content (``sha256:<hex>``) under one directory.
Writes go to a temporary name and are renamed into place, so a crash never leaves half an artifact."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from starbase.errors import NotFound

CHUNK = 1024 * 1024


class FilesystemArtifactStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, digest: str) -> Path:
        algorithm, _, hexdigest = digest.partition(":")
        if algorithm != "sha256" or len(hexdigest) != 64:
            raise NotFound(f"no artifact {digest!r}", field="digest")
        return self._root / "sha256" / hexdigest[:2] / hexdigest

    def put(self, path: Path) -> str:
        sha = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                sha.update(chunk)
        digest = f"sha256:{sha.hexdigest()}"
        target = self._path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        return digest

    def open(self, digest: str) -> Path:
        target = self._path(digest)
        if not target.exists():
            raise NotFound(f"no artifact {digest}", field="digest")
        return target

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()

    def delete(self, digest: str) -> None:
        self._path(digest).unlink(missing_ok=True)
