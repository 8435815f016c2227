"""Which model a name refers to, so one release is one event however it is written.

`Qwen 3`, `Qwen3` and `qwen-3` are one model: names compare by their identity (folded,
lower case, without the separators reporters put between family and version; version dots
stay, so `GLM-4.5` is not `GLM-45`). A discovered name whose identity is a gazetteer model's
name is that model. A bare version (`R1`, `V3.2-Exp`) in an article naming DeepSeek is
`DeepSeek-R1`: it resolves against the families and developers the article names. A family
(`Qwen`, `Kling`: other records name it as their family, and it carries no version number)
is not a release when the article names one of its versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.entities import Found
from nlp.fold import fold
from nlp.gazetteer import Gazetteer

_SEPARATORS = re.compile(r"[\s\-_·・/]+")
SIZE = re.compile(r"[-\s_]?\d+(?:\.\d+)?[BMT](?:-[A-Za-z]+)?$", re.I)  # Baichuan2-13B, Qwen-7B-Chat
BARE_VERSION = re.compile(
    r"(?<![0-9A-Za-z.\-])([A-Z]{1,2}\d+(?:\.\d+)?(?:-[A-Za-z][A-Za-z0-9]*)?)(?![0-9A-Za-z]|\.\d)"
)


def identity(name: str) -> str:
    """The form two spellings of one model name share (`qwen-3`, `Qwen 3` -> `qwen3`)."""
    name = name.split(":", 1)[1] if name.startswith("model:") else name
    return _SEPARATORS.sub("", fold(name).lower())


@dataclass(frozen=True)
class ModelRef:
    key: str  # gazetteer key when known, else the discovered key
    identity: str  # what makes two references the same model
    found: Found


class ModelNames:
    """The gazetteer's models indexed by identity, and which of them are families."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._by_identity: dict[str, str] = {}
        self.families: set[str] = set()
        for entry in gazetteer.entries.values():
            if entry.type != "model":
                continue
            if entry.links.get("family"):
                self.families.add(entry.links["family"])
            for name in (entry.key, *entry.names.values(), *entry.aliases):
                self._by_identity.setdefault(identity(name), entry.key)

    def resolve(self, found: Found) -> ModelRef:
        """The gazetteer model a found name is, or the discovered name under its identity."""
        if found.key in self.gazetteer.entries:
            return ModelRef(found.key, identity(found.key), found)
        names = [found.surface, found.name_en or "", found.key]
        sizes = [SIZE.sub("", n) for n in names if SIZE.search(n)]  # a size is no new model
        for name in [*names, *sizes]:
            key = self._by_identity.get(identity(name)) if name else None
            if key:
                return ModelRef(key, identity(key), found)
        name = found.name_en or found.surface
        return ModelRef(found.key, identity(SIZE.sub("", name) or name), found)

    def is_family(self, key: str) -> bool:
        """A family name carries no version number and other records name it as family."""
        return key in self.families and not re.search(r"\d", key)

    def family_of(self, key: str) -> str | None:
        entry = self.gazetteer.entries.get(key)
        return entry.links.get("family") if entry else None

    def bare_versions(self, text: str, found: list[Found]) -> list[Found]:
        """Versions written without their family (`R1`, 「V3.2-Exp」) that, joined to a family
        or developer named in the same text, are a gazetteer model."""
        anchors = []
        for f in found:
            entry = self.gazetteer.entries.get(f.key)
            if entry is not None and entry.type in ("model", "org"):
                anchors.extend(n for n in (entry.names.get("en"), *entry.aliases) if n)
        covered = [(f.start, f.end) for f in found]
        refs = []
        for m in BARE_VERSION.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in covered):
                continue
            for anchor in dict.fromkeys(anchors):
                key = self._by_identity.get(identity(anchor + m.group(1)))
                if key:
                    refs.append(Found(m.start(), m.end(), m.group(1), "MODEL", key, "version"))
                    break
        return refs
